/**
 * The sherpa-onnx streaming (online) Chinese models `hotline models` knows how to install,
 * and the two support files the sherpa engine uses: Silero VAD and the pinyin lexicon.
 *
 * Only what is published is pinned. A SHA-256 comes either from the project's shared copy
 * (its SOURCES.md, re-checked with sha256sum) or from the Git LFS pointer Hugging Face
 * publishes for the same file; a file with no published hash has no `sha256`, and its model
 * carries `unpinned: true`, so `hotline models --list` and the installer say so instead of
 * pretending. Never add a hash that was not read from a published source.
 */

export type SherpaRole = 'encoder' | 'decoder' | 'joiner' | 'tokens' | 'model';
export type SherpaKind = 'transducer' | 'paraformer' | 'ctc';
export type SherpaOutput = 'pinyin' | 'characters';

export interface SherpaFile {
  role: SherpaRole;
  /** Path inside the model folder (and inside the archive's top folder). */
  path: string;
  bytes?: number;
  sha256?: string;
}

export interface SherpaModel {
  name: string;
  /** Folder name under MODELS_DIR/asr/sherpa/ and SHARED_DIR/models/. */
  folder: string;
  kind: SherpaKind;
  output: SherpaOutput;
  licence: string;
  approxMB: number;
  /** Official tar.bz2; its members sit in one top folder (its name is not relied on). */
  archiveUrl: string;
  files: SherpaFile[];
  /** True when at least one file has no published SHA-256 (the install then checks sizes only where known). */
  unpinned?: boolean;
  note: string;
}

/** A single file the sherpa engine needs besides the model (voice activity detection, lexicon). */
export interface SherpaSupportFile {
  name: string;
  /** Path under MODELS_DIR/asr/. */
  installPath: string;
  /** Path under SHARED_DIR/models/. */
  sharedPath: string;
  /** Absolute paths of copies a system package installs, tried after the shared copy. */
  systemPaths: string[];
  /** Download URL, pinned to a commit; absent when the file only comes from a package. */
  url?: string;
  /** What to do when no copy can be found and nothing can be downloaded. */
  missingHint: string;
  bytes: number;
  sha256: string;
  licence: string;
  note: string;
}

const ASR_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models';
const KWS_RELEASE = 'https://github.com/k2-fsa/sherpa-onnx/releases/download/kws-models';

export const SHERPA_MODELS: readonly SherpaModel[] = [
  {
    // Hashes: shared/models/<folder>/SOURCES.md (jf1957/ASR copy of the upstream -mobile archive), re-checked with sha256sum.
    name: 'kws-zipformer-wenetspeech-3.3M-mobile',
    folder: 'sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile',
    kind: 'transducer',
    output: 'pinyin',
    licence: 'Apache-2.0',
    approxMB: 4.7,
    // The -mobile archive, not sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01.tar.bz2: the mobile files
    // were re-exported from that one for batch size 1 (the folder's notes.md), and only the decoder is known to be
    // byte-identical between the two, so the pinned encoder and joiner would never match the other archive.
    archiveUrl: `${KWS_RELEASE}/sherpa-onnx-kws-zipformer-wenetspeech-3.3M-2024-01-01-mobile.tar.bz2`,
    files: [
      {
        role: 'encoder',
        path: 'encoder-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
        bytes: 3_990_821,
        sha256: '4ded45b30961270f2a9a64bede4569b324c36d4f3a772c1b35bb70a244150675',
      },
      {
        role: 'decoder',
        path: 'decoder-epoch-12-avg-2-chunk-16-left-64.onnx',
        bytes: 675_349,
        sha256: 'fb581d6734511676e246e0dff2fea01b31b0913176cb3ca64576dbab0a177774',
      },
      {
        role: 'joiner',
        path: 'joiner-epoch-12-avg-2-chunk-16-left-64.int8.onnx',
        bytes: 65_242,
        sha256: 'f79760052b87239e325f0567c752ad3130b30d92effb847d4307743c20c59a24',
      },
      { role: 'tokens', path: 'tokens.txt', bytes: 1_627, sha256: '72316508d9119696145abc6f1f8cdc46287535c34e5ce7e595f845cb1499cf2e' },
    ],
    note: 'WenetSpeech keyword-spotting transducer (3.3M parameters); outputs tonal pinyin, turned into characters with the pinyin lexicon. Measured here: about 5% toneless syllable errors at 16 kHz, 11% on normalised 8 kHz telephone audio, RTF about 0.01.',
  },
  {
    name: 'zipformer-zh-14M',
    folder: 'sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23',
    kind: 'transducer',
    output: 'characters',
    licence: 'Apache-2.0',
    approxMB: 32,
    archiveUrl: `${ASR_RELEASE}/sherpa-onnx-streaming-zipformer-zh-14M-2023-02-23.tar.bz2`,
    // File choice as in the sherpa-onnx docs' int8 example: int8 encoder and joiner, fp32 decoder.
    files: [
      { role: 'encoder', path: 'encoder-epoch-99-avg-1.int8.onnx' },
      { role: 'decoder', path: 'decoder-epoch-99-avg-1.onnx' },
      { role: 'joiner', path: 'joiner-epoch-99-avg-1.int8.onnx' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
    unpinned: true,
    note: 'Small WenetSpeech zipformer (14M parameters, from marcoyang/sherpa-ncnn-streaming-zipformer-zh-14M-2023-02-23). No SHA-256 is published for the release archive, whose files were re-exported in September 2023 (about 21 MB encoder, 7.2 MB decoder, 1.7 MB joiner).',
  },
  {
    // Hashes and sizes: Git LFS pointers in Hugging Face csukuangfj/sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20,
    // commit 2593e24a11dd3e49598925eafbe859d546895201 ("add int8 models", 2023-03-31), the only commit that touched these
    // files; the sherpa-onnx docs list the archive's int8 files with that date and matching sizes.
    name: 'zipformer-bilingual-zh-en',
    folder: 'sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20',
    kind: 'transducer',
    output: 'characters',
    licence: 'Apache-2.0',
    approxMB: 198,
    archiveUrl: `${ASR_RELEASE}/sherpa-onnx-streaming-zipformer-bilingual-zh-en-2023-02-20.tar.bz2`,
    files: [
      {
        role: 'encoder',
        path: 'encoder-epoch-99-avg-1.int8.onnx',
        bytes: 181_895_032,
        sha256: '8fa764187a261844f859d7143ebaa563af5d10adfece4c18a8f414c88cba2a9b',
      },
      {
        role: 'decoder',
        path: 'decoder-epoch-99-avg-1.int8.onnx',
        bytes: 13_091_040,
        sha256: '1a70c593d71e53f023f5f55b0b4cfff5055abb786ee3992e5f63dc2e273cc4fa',
      },
      {
        role: 'joiner',
        path: 'joiner-epoch-99-avg-1.int8.onnx',
        bytes: 3_228_404,
        sha256: '1ed689c5ed19dbaa725d9d191bb4822b5f4855a39e1ffd28cbc1f340d25b2ee0',
      },
      // tokens.txt is a plain git file on Hugging Face (no LFS pointer), so no SHA-256 is published for it.
      { role: 'tokens', path: 'tokens.txt' },
    ],
    unpinned: true,
    note: 'Chinese + English zipformer trained by the community on internal data (from csukuangfj/k2fsa-zipformer-chinese-english-mixed); the three .onnx files are pinned, tokens.txt is not (no published hash).',
  },
  {
    name: 'paraformer-bilingual-zh-en',
    folder: 'sherpa-onnx-streaming-paraformer-bilingual-zh-en',
    kind: 'paraformer',
    output: 'characters',
    licence: 'unverified (FunASR, ModelScope)',
    approxMB: 237,
    archiveUrl: `${ASR_RELEASE}/sherpa-onnx-streaming-paraformer-bilingual-zh-en.tar.bz2`,
    files: [
      { role: 'encoder', path: 'encoder.int8.onnx' },
      { role: 'decoder', path: 'decoder.int8.onnx' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
    unpinned: true,
    note: 'Streaming Paraformer converted from ModelScope damo/speech_paraformer_asr_nat-zh-cn-16k-common-vocab8404-online; check the licence on its ModelScope card before use. No SHA-256 is published for the archive (about 158 MB int8 encoder, 68 MB int8 decoder).',
  },
  {
    name: 'zipformer-multi-zh-hans',
    folder: 'sherpa-onnx-streaming-zipformer-multi-zh-hans-2023-12-12',
    kind: 'transducer',
    output: 'characters',
    licence: 'Apache-2.0',
    approxMB: 76,
    archiveUrl: `${ASR_RELEASE}/sherpa-onnx-streaming-zipformer-multi-zh-hans-2023-12-12.tar.bz2`,
    files: [
      { role: 'encoder', path: 'encoder-epoch-20-avg-1-chunk-16-left-128.int8.onnx' },
      { role: 'decoder', path: 'decoder-epoch-20-avg-1-chunk-16-left-128.onnx' },
      { role: 'joiner', path: 'joiner-epoch-20-avg-1-chunk-16-left-128.int8.onnx' },
      { role: 'tokens', path: 'tokens.txt' },
    ],
    unpinned: true,
    // Hugging Face k2-fsa/sherpa-onnx-streaming-zipformer-multi-zh-hans-2023-12-12 publishes hashes, but its .onnx files were
    // replaced several times (2023-12-27, 2023-12-30, 2024-02-02, 2024-09-11, each with new SHA-256s) while the release
    // archive's listing in the docs is dated 2023-12-12, so none of them can be said to match the archive.
    note: 'Zipformer trained on 14k hours of Chinese (icefall multi_zh-hans). Unpinned: the Hugging Face copy changed several times after the release archive was made, so no published hash is known to match it (about 67 MB int8 encoder).',
  },
];

export const DEFAULT_SHERPA_MODEL = 'kws-zipformer-wenetspeech-3.3M-mobile';

/** Finds a model by its catalogue name or its folder name (the official archive name). */
export function findSherpaModel(name: string): SherpaModel | undefined {
  return SHERPA_MODELS.find((m) => m.name === name || m.folder === name);
}

/** Silero VAD v6.2. Hash and size: shared/models/silero-vad/SOURCES.md, re-checked with sha256sum. */
export const SILERO_VAD: SherpaSupportFile = {
  name: 'Silero VAD',
  installPath: 'silero-vad/silero_vad.onnx',
  sharedPath: 'silero-vad/silero_vad.onnx',
  systemPaths: [],
  // The blob the shared copy was taken from; whether k2-fsa's asr-models/silero_vad.onnx is the same file is not known.
  url: 'https://raw.githubusercontent.com/snakers4/silero-vad/806dcba3f0b5d95282d0889a074954a2f8c6397b/src/silero_vad/data/silero_vad.onnx',
  missingHint: 'copy silero_vad.onnx (snakers4/silero-vad commit 806dcba3, src/silero_vad/data/) there by hand',
  bytes: 2_327_524,
  sha256: '1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3',
  licence: 'MIT',
  note: 'voice activity detection: where utterances start and end',
};

/** The rime pinyin lexicon (Debian rime-data-pinyin-simp 0.0~git20230104.52b9c75-1); hash computed here with sha256sum. */
export const PINYIN_LEXICON: SherpaSupportFile = {
  name: 'pinyin lexicon',
  installPath: 'lexicon/pinyin_simp.dict.yaml',
  sharedPath: 'rime-pinyin-simp-dict/pinyin_simp.dict.yaml',
  systemPaths: ['/usr/share/rime-data/pinyin_simp.dict.yaml'],
  missingHint: 'apt-get install rime-data-pinyin-simp',
  bytes: 1_266_196,
  sha256: '44e448cffab6ce2d280826a17842721e8e645c226787312251bb7a3f0b1e58b3',
  licence: 'Apache-2.0',
  note: 'pinyin to words, for models whose output is pinyin',
};
