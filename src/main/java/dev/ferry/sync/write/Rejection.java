package dev.ferry.sync.write;

/**
 * A document of a chunk the destination refused for good (or ferry refused before sending, for a
 * rule the driver would otherwise apply to the whole chunk).
 *
 * @param index 0-based index of the document in its chunk
 */
public record Rejection(int index, String reason) {
}
