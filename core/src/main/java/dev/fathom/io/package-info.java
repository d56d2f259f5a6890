/**
 * File formats and safe file writing: the safetensors format of the Hugging Face ecosystem and
 * atomic (temp file + rename) writes.
 *
 * <p>Start with {@link dev.fathom.io.Safetensors}: {@code open} memory-maps a file and validates
 * its header, giving a {@link dev.fathom.io.SafetensorsFile} of {@link dev.fathom.io.RawTensor}s;
 * {@code readAll} copies everything to the heap; {@code write} writes a file atomically through
 * {@link dev.fathom.io.AtomicFiles}. A {@code RawTensor} is an element type
 * ({@link dev.fathom.io.StDType}), a shape and little-endian bytes, independent of
 * {@code dev.fathom.tensor}; it converts to and from Java arrays.
 *
 * <p>Malformed, truncated or hostile files give a {@link dev.fathom.io.FormatException} whose
 * message says what was expected, what came, and where. {@code SafetensorsHeader} holds every
 * validation rule; {@code ElementCodec} the dtype conversions (F16, BF16, F8).
 */
package dev.fathom.io;
