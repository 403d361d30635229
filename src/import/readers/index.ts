/**
 * From a file's bytes to the intermediate model: the format is told from the bytes (a ZIP archive is a `.docx` or an
 * `.xlsx` by its parts; markup is HTML; a header line with delimiters is CSV; anything else is the text layout),
 * not from the file name.
 */
import JSZip from 'jszip';
import type { Directory } from '../../domain/directory';
import { decodeText } from '../encoding';
import { ImportError } from '../import-error';
import type { SourceDocument } from '../source';
import { csvDelimiter, readCsvDocument } from './csv';
import { readDocxDocument } from './docx';
import { declaredCharset, looksLikeHtml, readHtmlDocument } from './html';
import { readTextDocument } from './text';
import { readXlsxDocument } from './xlsx';

/** Options of {@link readSource}. */
export interface SourceReadOptions {
  /** File name used in errors and warnings. */
  file: string;
  /** Unit directory for the text layout's unit lexicon. (Default: none) */
  directory?: Directory;
  /** Sheet of a workbook to read. (Default: the sheet holding the table) */
  sheet?: string;
}

/** Files that are certainly not a table we read, by their first bytes, with what to do instead. */
const REFUSED: [number[], string][] = [
  [[0xd0, 0xcf, 0x11, 0xe0], 'a legacy Word .doc or Excel .xls file (OLE2): save it as .docx or .xlsx first'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF file: export the table as .docx, .xlsx or text first'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image, not a table'],
  [[0xff, 0xd8, 0xff], 'a JPEG image, not a table'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image, not a table'],
  [[0x7b, 0x5c, 0x72, 0x74, 0x66], 'an RTF file: save it as .docx first'],
];

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

/** Reads a table file of any supported format. Throws {@link ImportError} naming the file and what is wrong. */
export async function readSource(bytes: Buffer, options: SourceReadOptions): Promise<SourceDocument> {
  const { file } = options;
  if (bytes.length === 0) throw new ImportError(file, 1, 'not a task table: the file is empty');
  for (const [prefix, what] of REFUSED)
    if (startsWith(bytes, prefix)) throw new ImportError(file, 0, `not a table file: ${what}`);
  let document: SourceDocument;
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) {
    document = await readArchive(bytes, options);
  } else {
    const { text } = decodeText(bytes, file, declaredCharset(bytes));
    if (looksLikeHtml(text)) document = readHtmlDocument(text);
    else {
      const delimiter = /\.(?:csv|tsv)$/i.test(file)
        ? (csvDelimiter(text) ?? (/\.tsv$/i.test(file) ? '\t' : ','))
        : csvDelimiter(text);
      document = delimiter
        ? await readCsvDocument(text, { file, delimiter })
        : readTextDocument(text, { file, directory: options.directory });
    }
  }
  if (options.sheet !== undefined && document.format !== 'xlsx') {
    document.warnings.push({
      line: 0,
      message: `--sheet '${options.sheet}' is ignored: the file is ${document.format}, not a workbook`,
    });
  }
  return document;
}

/** A ZIP archive: a Word document or an Excel workbook by the parts it holds. */
async function readArchive(bytes: Buffer, options: SourceReadOptions): Promise<SourceDocument> {
  const { file } = options;
  let zip: JSZip;
  try {
    zip = await JSZip.loadAsync(bytes);
  } catch (err) {
    throw new ImportError(
      file,
      0,
      `not a readable .docx or .xlsx: the ZIP archive is truncated or damaged (${(err as Error).message})`,
    );
  }
  if (zip.file('word/document.xml')) return readDocxDocument(zip, file);
  if (zip.file('xl/workbook.xml')) return readXlsxDocument(bytes, file, options.sheet);
  const mimetype = await zip
    .file('mimetype')
    ?.async('string')
    .catch(() => undefined);
  if (mimetype?.startsWith('application/vnd.oasis.opendocument')) {
    throw new ImportError(
      file,
      0,
      'not a table file: an OpenDocument (.odt/.ods) file: save it as .docx or .xlsx first',
    );
  }
  throw new ImportError(file, 0, 'not a table file: a ZIP archive that is neither a Word .docx nor an Excel .xlsx');
}
