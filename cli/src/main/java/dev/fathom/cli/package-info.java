/**
 * The {@code fathom} command line (picocli): {@link dev.fathom.cli.Main} and one class per
 * command. Data sources and input formats are resolved in {@code DataSources} and {@code Inputs};
 * the training run shared by {@code train} and {@code demo} is {@code Training}.
 */
package dev.fathom.cli;
