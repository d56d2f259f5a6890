package dev.fathom.llm.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Cuts text into pieces before BPE runs, so merges never cross a piece boundary.
 *
 * <p>Each pattern splits every piece of the previous stage in "isolated" mode (Hugging Face
 * {@code Split} with {@code behavior: "Isolated"}): each match is a piece, and so is any text
 * between matches, so the pieces always concatenate back to the text. No patterns means the whole
 * text is one piece. Patterns are compiled with {@link Pattern#UNICODE_CHARACTER_CLASS}, so
 * {@code \s} is Unicode White_Space as in the Rust and Python regex engines.
 *
 * @param patterns regexes applied in order (Hugging Face / Oniguruma syntax that Java shares)
 * @param addPrefixSpace prepend a space to text that does not start with one (ByteLevel's
 *     {@code add_prefix_space}; GPT-2 and Llama 3 use {@code false})
 */
public record PreTokenizer(List<String> patterns, boolean addPrefixSpace) {

  /** GPT-2's pattern: contractions, letters, digits, other symbols, whitespace. */
  public static final String GPT2_PATTERN =
      "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

  /** Llama 3's pattern: case-insensitive contractions, digits in groups of at most three. */
  public static final String LLAMA3_PATTERN =
      "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
          + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

  public PreTokenizer {
    patterns = List.copyOf(patterns);
    for (String p : patterns) {
      compile(p);
    }
  }

  /** GPT-2's byte-level pre-tokenizer. */
  public static PreTokenizer gpt2() {
    return new PreTokenizer(List.of(GPT2_PATTERN), false);
  }

  /** Llama 3's pre-tokenizer. */
  public static PreTokenizer llama3() {
    return new PreTokenizer(List.of(LLAMA3_PATTERN), false);
  }

  /** No splitting: the whole text is one piece (what a byte tokenizer needs). */
  public static PreTokenizer none() {
    return new PreTokenizer(List.of(), false);
  }

  /**
   * Compiles a pattern the way this class uses it.
   *
   * @throws PatternSyntaxException if Java cannot compile it
   */
  static Pattern compile(String pattern) {
    return Pattern.compile(pattern, Pattern.UNICODE_CHARACTER_CLASS);
  }

  /** A compiled form for repeated use. */
  Compiled compiled() {
    List<Pattern> list = new ArrayList<>(patterns.size());
    for (String p : patterns) {
      list.add(compile(p));
    }
    return new Compiled(list.toArray(Pattern[]::new), addPrefixSpace);
  }

  /** Compiled patterns; splitting is thread-safe (each call makes its own matchers). */
  static final class Compiled {
    private final Pattern[] patterns;
    private final boolean addPrefixSpace;

    Compiled(Pattern[] patterns, boolean addPrefixSpace) {
      this.patterns = patterns;
      this.addPrefixSpace = addPrefixSpace;
    }

    /** Calls {@code sink} with each non-empty piece of {@code text}, in order. */
    void split(String text, Consumer<String> sink) {
      if (text.isEmpty()) {
        return;
      }
      String t = addPrefixSpace && text.charAt(0) != ' ' ? " " + text : text;
      stage(t, 0, sink);
    }

    private void stage(String text, int level, Consumer<String> sink) {
      if (level == patterns.length) {
        sink.accept(text);
        return;
      }
      Matcher m = patterns[level].matcher(text);
      int last = 0;
      while (m.find()) {
        int s = m.start();
        int e = m.end();
        if (e == s) {
          continue;
        }
        if (s > last) {
          stage(text.substring(last, s), level + 1, sink);
        }
        stage(text.substring(s, e), level + 1, sink);
        last = e;
      }
      if (last < text.length()) {
        stage(text.substring(last), level + 1, sink);
      }
    }
  }
}
