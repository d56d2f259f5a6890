/**
 * Self-supervised pretraining of image encoders. Start at {@link dev.fathom.vision.ssl.SslMethod}
 * (what a method provides), {@link dev.fathom.vision.ssl.Pretrainer} (the loop: augmented views
 * from the DataLoader's workers, AdamW, warmup + cosine) and {@link dev.fathom.vision.ssl.SslCheckpoint}
 * (config.json + encoder.safetensors, whatever the method). Methods: {@link dev.fathom.vision.ssl.SimClr}
 * with {@link dev.fathom.vision.ssl.NtXent}, {@link dev.fathom.vision.ssl.Byol}.
 */
package dev.fathom.vision.ssl;
