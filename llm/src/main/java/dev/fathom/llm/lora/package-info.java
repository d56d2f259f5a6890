/**
 * LoRA fine-tuning (Hu et al. 2021, "LoRA: Low-Rank Adaptation of Large Language Models") with
 * PEFT-compatible files.
 *
 * <p>An adapter on a linear layer W (out, in) adds y = W·x + scale · B·A·dropout(x), A (r, in),
 * B (out, r), scale = lora_alpha / r (or lora_alpha / √r with use_rslora). Only A and B train.
 *
 * <p>Start reading at {@link dev.fathom.llm.lora.Lora}:
 * <ul>
 *   <li>{@code Lora.apply(model, LoraConfig.of(8, 16, List.of("q_proj", "k_proj", "v_proj", "o_proj")), rng)}
 *       attaches {@code lora_A}/{@code lora_B} children and a forward hook to each target Linear and
 *       freezes the rest; {@code Lora.trainableParameters(model)} is what the optimizer gets.</li>
 *   <li>{@code Lora.merge(model)} / {@code Lora.unmerge(model)} fold the adapters into W and back
 *       (merge before handing the weights to code that reads {@code Linear.weight} directly, such
 *       as the KV-cache engine); {@code Lora.unload} / {@code Lora.mergeAndUnload} remove them.</li>
 *   <li>{@code LoraAdapters.save(dir, model)} / {@code LoraAdapters.load(dir, baseModel)}: PEFT's
 *       {@code adapter_config.json} + {@code adapter_model.safetensors} with keys
 *       {@code base_model.model.model.layers.0.self_attn.q_proj.lora_A.weight}.</li>
 * </ul>
 * In the model's own state dict the adapter weights appear as
 * {@code model.layers.0.self_attn.q_proj.lora_A.weight}. {@link dev.fathom.llm.lora.LoraLayer} is
 * the adapter on one layer; {@link dev.fathom.llm.lora.LoraConfig} the validated hyper-parameters.
 */
package dev.fathom.llm.lora;
