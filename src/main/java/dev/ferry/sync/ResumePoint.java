package dev.ferry.sync;

/**
 * Where a job starts: after its checkpoint, or at the first document.
 *
 * @param fingerprint of the job file, so that only a checkpoint of this very file is resumed from
 */
record ResumePoint(String fingerprint, Progress progress) {
}
