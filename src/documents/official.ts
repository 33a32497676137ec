import type * as Docx from 'docx';

/**
 * The fonts 公文 are set in (GB/T 9704), each with the face Word and WPS fall back to when the GB2312 or
 * 方正 font is not installed (declared as the East Asian face with a common Latin face beside it).
 */
export const FONTS = {
  title: '方正小标宋简体',
  body: '仿宋_GB2312',
  heading: '黑体',
  subheading: '楷体_GB2312',
} as const;
export const FALLBACK_FONTS: Record<string, string> = {
  方正小标宋简体: '宋体',
  仿宋_GB2312: '仿宋',
  黑体: 'SimHei',
  楷体_GB2312: '楷体',
};

/** A block of the 正文: a paragraph, a 一级 (黑体) or 二级 (楷体) heading, or a table. */
export type Block =
  | { kind: 'para'; text: string }
  | { kind: 'h1'; text: string }
  | { kind: 'h2'; text: string }
  | { kind: 'table'; header: string[]; rows: string[][] };

export interface OfficialDocument {
  /** 发文机关 (标志 in red above the separator line) */
  issuer: string;
  /** 发文字号; absent on a form such as the 送达回证 */
  number: string | null;
  title: string;
  /** 主送 */
  addressee: string | null;
  body: Block[];
  /** 落款 */
  signOff: string;
  /** 成文日期, e.g. 2026年3月2日 */
  date: string;
  /** 版记: 印发机关和印发日期 */
  printedBy?: string;
}

// Sizes in half-points (二号 22 pt, 三号 16 pt), lengths in twips (1 mm ≈ 56.7).
const SIZE_TITLE = 44;
const SIZE_BODY = 32;
const SIZE_ISSUER = 52;
const mm = (v: number) => Math.round(v * 56.7);
// GB/T 9704: 22 lines of 28 characters; a fixed 28.95 pt line.
const LINE = { line: 579, lineRule: 'exact' } as const;
const RED = 'FF0000';

const font = (name: string) => ({ eastAsia: name, ascii: 'Times New Roman', hAnsi: 'Times New Roman' });

function run(text: string, face: string, size = SIZE_BODY, color?: string): Docx.TextRun {
  return new docx.TextRun({ text, font: font(face), size, ...(color ? { color } : {}) });
}

function para(
  text: string,
  opts: { face?: string; align?: 'left' | 'center' | 'right'; indent?: boolean } = {},
) {
  const alignment =
    opts.align === 'center'
      ? docx.AlignmentType.CENTER
      : opts.align === 'right'
        ? docx.AlignmentType.RIGHT
        : docx.AlignmentType.JUSTIFIED;
  return new docx.Paragraph({
    alignment,
    spacing: LINE,
    ...(opts.indent ? { indent: { firstLine: SIZE_BODY * 20 } } : {}),
    children: [run(text, opts.face ?? FONTS.body)],
  });
}

function cell(text: string, bold = false): Docx.TableCell {
  return new docx.TableCell({
    children: [
      new docx.Paragraph({
        spacing: { line: 400, lineRule: 'exact' },
        children: [new docx.TextRun({ text, font: font(bold ? FONTS.heading : FONTS.body), size: 24 })],
      }),
    ],
  });
}

function table(header: string[], rows: string[][]): Docx.Table {
  return new docx.Table({
    width: { size: 100, type: docx.WidthType.PERCENTAGE },
    rows: [
      new docx.TableRow({ tableHeader: true, children: header.map((h) => cell(h, true)) }),
      ...rows.map((r) => new docx.TableRow({ children: r.map((v) => cell(v)) })),
    ],
  });
}

function block(b: Block): Docx.Paragraph | Docx.Table {
  switch (b.kind) {
    case 'para':
      return para(b.text, { indent: true });
    case 'h1':
      return para(b.text, { face: FONTS.heading, indent: true });
    case 'h2':
      return para(b.text, { face: FONTS.subheading, indent: true });
    case 'table':
      return table(b.header, b.rows);
  }
}

const redRule = () =>
  new docx.Paragraph({
    spacing: { after: 240 },
    border: { bottom: { style: docx.BorderStyle.SINGLE, size: 12, color: RED, space: 1 } },
    children: [],
  });

/** A 公文 laid out after GB/T 9704: 版头, 主体 and 版记 on A4 with its margins and page numbers. */
// Loaded with the first document: the library is a good part of the process's memory, and most never need it.
let docx: typeof Docx;

export async function renderOfficial(d: OfficialDocument): Promise<Uint8Array> {
  docx ??= await import('docx');
  const head: Docx.Paragraph[] = [
    new docx.Paragraph({
      alignment: docx.AlignmentType.CENTER,
      spacing: { after: 240 },
      children: [run(d.issuer, FONTS.title, SIZE_ISSUER, RED)],
    }),
  ];
  if (d.number) head.push(para(d.number, { align: 'center' }));
  head.push(redRule());
  const main: (Docx.Paragraph | Docx.Table)[] = [
    new docx.Paragraph({
      alignment: docx.AlignmentType.CENTER,
      spacing: { line: 700, lineRule: docx.LineRuleType.EXACT, after: 300 },
      children: [run(d.title, FONTS.title, SIZE_TITLE)],
    }),
  ];
  if (d.addressee) main.push(para(`${d.addressee}：`, { align: 'left' }));
  main.push(...d.body.map(block));
  main.push(para(''), para(d.signOff, { align: 'right' }), para(d.date, { align: 'right' }));
  const colophon: Docx.Paragraph[] = d.printedBy
    ? [
        para(''),
        new docx.Paragraph({
          spacing: LINE,
          border: {
            top: { style: docx.BorderStyle.SINGLE, size: 6, color: '000000', space: 1 },
            bottom: { style: docx.BorderStyle.SINGLE, size: 6, color: '000000', space: 1 },
          },
          tabStops: [{ type: 'right', position: mm(156) }],
          children: [run(`${d.printedBy}\t${d.date}印发`, FONTS.body, 28)],
        }),
      ]
    : [];
  const doc = new docx.Document({
    creator: d.issuer,
    title: d.title,
    styles: { default: { document: { run: { font: font(FONTS.body), size: SIZE_BODY } } } },
    sections: [
      {
        properties: {
          page: {
            size: { width: mm(210), height: mm(297) },
            margin: { top: mm(37), bottom: mm(35), left: mm(28), right: mm(26) },
          },
        },
        footers: {
          default: new docx.Footer({
            children: [
              new docx.Paragraph({
                alignment: docx.AlignmentType.CENTER,
                children: [
                  new docx.TextRun({
                    children: ['— ', docx.PageNumber.CURRENT, ' —'],
                    font: font('宋体'),
                    size: 28,
                  }),
                ],
              }),
            ],
          }),
        },
        children: [...head, ...main, ...colophon],
      },
    ],
  });
  return docx.Packer.pack(doc, 'uint8array', false, [{ path: 'word/fontTable.xml', data: fontTable() }]);
}

/** Declares each 公文 face with w:altName, the face Word and WPS substitute when it is not installed. */
function fontTable(): string {
  const faces = Object.entries(FALLBACK_FONTS)
    .map(
      ([name, alt]) =>
        `<w:font w:name="${name}"><w:altName w:val="${alt}"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>`,
    )
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
    '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">' +
    `${faces}<w:font w:name="宋体"><w:altName w:val="SimSun"/><w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>` +
    '<w:font w:name="Times New Roman"><w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>' +
    '</w:fonts>'
  );
}
