package dev.fathom.io;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser and validator of a safetensors JSON header: every check that keeps a hostile file from
 * causing a wrong read, a huge allocation or a crash happens here, before any tensor is built.
 *
 * <p>The format: an unsigned 64-bit little-endian length N, then N bytes of UTF-8 JSON, then the
 * data region. The JSON object maps each tensor name to {@code {"dtype": "F32", "shape": [2, 3],
 * "data_offsets": [begin, end]}}, offsets relative to the start of the data region; the optional
 * key {@code "__metadata__"} maps to an object of string values.
 */
final class SafetensorsHeader {

  /*
   * Design: the reference implementation (Rust) also requires the tensors to tile the data region
   * with no gaps. We only require that they do not overlap and lie inside it, which every file the
   * reference accepts also satisfies; a gap only wastes bytes and cannot make a read go wrong.
   * Duplicate keys are an error (the reference keeps one silently), since a second entry for a
   * name would otherwise be hidden from whoever inspects the file.
   */

  /** Largest header we accept, as in the reference implementation. */
  static final long MAX_HEADER_BYTES = 100_000_000L;

  static final String METADATA_KEY = "__metadata__";

  /** Parser settings: duplicate keys are errors; strings may be as long as the header. */
  static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
          .build();

  /** One validated entry: offsets are relative to the data region. */
  record Entry(String name, StDType dtype, long[] shape, long begin, long end) {}

  final List<Entry> entries;
  final Map<String, String> metadata;

  private SafetensorsHeader(List<Entry> entries, Map<String, String> metadata) {
    this.entries = entries;
    this.metadata = metadata;
  }

  /**
   * Validates the header bytes against a data region of {@code dataLength} bytes.
   *
   * @param bytes the N header bytes
   * @param dataLength bytes after the header
   * @param where the file, for messages
   * @return the entries sorted by begin offset (ties in header order) and the metadata
   * @throws FormatException if any rule of the format is broken
   */
  static SafetensorsHeader parse(byte[] bytes, long dataLength, String where)
      throws FormatException {
    String prefix = "safetensors header in " + where + ": ";
    String text = decodeUtf8(bytes, prefix);
    List<Entry> entries = new ArrayList<>();
    Map<String, String> metadata = Map.of();
    // Streaming rather than a JsonNode tree: memory stays a small multiple of the header size.
    try (JsonParser p = JSON.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        throw new FormatException(prefix + "expected a JSON object, got an empty header");
      }
      if (t != JsonToken.START_OBJECT) {
        throw new FormatException(prefix + "expected a JSON object, got " + describe(p));
      }
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (METADATA_KEY.equals(name)) {
          metadata = parseMetadata(p, prefix);
        } else {
          entries.add(parseEntry(name, p, dataLength, prefix));
        }
      }
      if (p.nextToken() != null) {
        throw new FormatException(
            prefix + "expected only spaces after the JSON object, got more JSON at header "
                + "character " + p.currentTokenLocation().getCharOffset());
      }
    } catch (JsonProcessingException e) {
      JsonLocation loc = e.getLocation();
      String at = loc == null ? "" : " at header character " + loc.getCharOffset();
      throw new FormatException(
          prefix + "expected a JSON object, got invalid JSON" + at + ": " + e.getOriginalMessage(),
          e);
    } catch (FormatException e) {
      throw e;
    } catch (IOException e) {
      throw new FormatException(prefix + "unreadable JSON: " + e.getMessage(), e);
    }
    entries.sort(Comparator.comparingLong(Entry::begin));
    checkOverlaps(entries, prefix);
    return new SafetensorsHeader(Collections.unmodifiableList(entries), metadata);
  }

  private static String decodeUtf8(byte[] bytes, String prefix) throws FormatException {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    CoderResult r = decoder.decode(in, out, true);
    if (r.isError()) {
      throw new FormatException(
          prefix + "expected UTF-8 text, got an invalid byte sequence at header byte "
              + in.position());
    }
    r = decoder.flush(out);
    if (r.isError()) {
      throw new FormatException(prefix + "expected UTF-8 text, got a header ending mid-character");
    }
    return out.flip().toString();
  }

  private static Map<String, String> parseMetadata(JsonParser p, String prefix)
      throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return Map.of();
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new FormatException(
          prefix + "expected " + METADATA_KEY + " to be an object of strings, got " + describe(p));
    }
    Map<String, String> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      if (p.nextToken() != JsonToken.VALUE_STRING) {
        throw new FormatException(
            prefix + "expected " + METADATA_KEY + " value for key '" + key
                + "' to be a string, got " + describe(p));
      }
      out.put(key, p.getText());
    }
    return Collections.unmodifiableMap(out);
  }

  private static Entry parseEntry(String name, JsonParser p, long dataLength, String prefix)
      throws IOException {
    String at = prefix + "tensor '" + name + "'";
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw new FormatException(
          at + ": expected an object with dtype, shape and data_offsets, got " + describe(p));
    }
    StDType dtype = null;
    long[] shape = null;
    long[] offsets = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      switch (key) {
        case "dtype" -> {
          if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw new FormatException(at + ": expected dtype to be a string, got " + describe(p));
          }
          dtype = StDType.lookup(p.getText());
          if (dtype == null) {
            throw new FormatException(
                at + " has unknown dtype '" + p.getText() + "'; expected one of "
                    + StDType.knownNames());
          }
        }
        case "shape" -> shape = longArray(p, at + ": shape");
        case "data_offsets" -> offsets = longArray(p, at + ": data_offsets");
        default -> p.skipChildren();
      }
    }
    if (dtype == null || shape == null || offsets == null) {
      String missing = dtype == null ? "dtype" : shape == null ? "shape" : "data_offsets";
      throw new FormatException(
          at + ": expected fields dtype, shape and data_offsets, found no " + missing);
    }

    long numel = RawTensor.numelOf(shape);
    long bytes = numel < 0 ? -1 : RawTensor.byteCount(numel, dtype);
    if (bytes < 0) {
      throw new FormatException(
          at + ": shape " + Arrays.toString(shape) + " of " + dtype
              + " has more bytes than a 64-bit count can hold");
    }
    if (offsets.length != 2 || offsets[0] > offsets[1]) {
      throw new FormatException(
          at + ": expected data_offsets [begin, end] with 0 <= begin <= end, got "
              + brief(Arrays.toString(offsets)));
    }
    long begin = offsets[0];
    long end = offsets[1];
    if (end > dataLength) {
      throw new FormatException(
          at + " ends at byte " + end + " but the data region has " + dataLength + " bytes");
    }
    if (end - begin != bytes) {
      throw new FormatException(
          at + " of dtype " + dtype + " and shape " + Arrays.toString(shape) + " needs " + bytes
              + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
    }
    return new Entry(name, dtype, shape, begin, end);
  }

  /** A JSON array of non-negative integers below 2^63; the parser is on its START_ARRAY. */
  private static long[] longArray(JsonParser p, String what) throws IOException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw new FormatException(what + ": expected an array, got " + describe(p));
    }
    long[] out = new long[4];
    int n = 0;
    JsonToken t;
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t != JsonToken.VALUE_NUMBER_INT) {
        // Also ends the loop at the end of input (t == null) should the parser not throw first.
        throw new FormatException(
            what + " element " + n + ": expected a non-negative integer, got " + describe(p));
      }
      if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
        throw new FormatException(
            what + " element " + n + ": expected a non-negative integer below 2^63, got "
                + brief(p.getText()));
      }
      long v = p.getLongValue();
      if (v < 0) {
        throw new FormatException(
            what + " element " + n + ": expected a non-negative integer, got " + v);
      }
      if (n == out.length) {
        out = Arrays.copyOf(out, 2 * n);
      }
      out[n++] = v;
    }
    return Arrays.copyOf(out, n);
  }

  private static void checkOverlaps(List<Entry> sorted, String prefix) throws FormatException {
    Entry reach = null;
    for (Entry e : sorted) {
      if (e.begin() == e.end()) {
        continue;
      }
      if (reach != null && e.begin() < reach.end()) {
        throw new FormatException(
            prefix + "expected tensors not to overlap, but '" + reach.name() + "' (bytes ["
                + reach.begin() + ", " + reach.end() + ")) and '" + e.name() + "' (bytes ["
                + e.begin() + ", " + e.end() + ")) do");
      }
      if (reach == null || e.end() > reach.end()) {
        reach = e;
      }
    }
  }

  /** The current token for messages: its kind and, for a scalar, its text. */
  private static String describe(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == null) {
      return "the end of the header";
    }
    return switch (t) {
      case START_ARRAY -> "an array";
      case START_OBJECT -> "an object";
      case VALUE_STRING -> "a string \"" + brief(p.getText()) + "\"";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number " + brief(p.getText());
      case VALUE_TRUE, VALUE_FALSE -> "a boolean " + p.getText();
      case VALUE_NULL -> "null";
      default -> String.valueOf(t);
    };
  }

  private static String brief(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }
}
