package dev.ferry.sync.source;

import java.util.Arrays;

/**
 * Where each document of a chunk came from, so that a message or a rejected record can name it:
 * {@code line 17} for line-based files (the line a record starts on), {@code element 5} of a json
 * array, {@code document 12} of other sources. Numbers are 1-based and stable across resumes.
 */
public final class Origins {
    private final String unit;
    private final long[] numbers;
    private final String suffix;

    public Origins(String unit, long[] numbers) {
        this(unit, numbers, "");
    }

    private Origins(String unit, long[] numbers, String suffix) {
        this.unit = unit;
        this.numbers = numbers.clone();
        this.suffix = suffix;
    }

    /** For a chunk that comes from nowhere in particular: {@code document N of the chunk}. */
    public static Origins ofChunk(int count) {
        return new Origins("document", consecutive("document", 1, count).numbers, " of the chunk");
    }

    /** Documents numbered {@code first, first + 1, ...} in the unit {@code unit}. */
    public static Origins consecutive(String unit, long first, int count) {
        long[] n = new long[count];
        for (int i = 0; i < count; i++) {
            n[i] = first + i;
        }
        return new Origins(unit, n);
    }

    public String unit() {
        return unit;
    }

    public int size() {
        return numbers.length;
    }

    public long number(int index) {
        return numbers[index];
    }

    /** E.g. {@code line 17}; {@code document N of the chunk} for an index out of range. */
    public String describe(int index) {
        return index >= 0 && index < numbers.length ? unit + " " + numbers[index] + suffix
                : "document " + (index + 1) + " of the chunk";
    }

    @Override
    public String toString() {
        return unit + " " + Arrays.toString(numbers);
    }
}
