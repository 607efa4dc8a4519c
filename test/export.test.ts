import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { chromium as playwrightChromium } from 'playwright-core';
import { ChromiumUnavailableError, exportFigures, figureHtml, renderImages, renderStatic } from '../src/visualize/export';
import type { PlaywrightChromium } from '../src/visualize/export';
import type { Figure } from '../src/visualize/figure';
import { axis, baseLayout, makeFigure } from '../src/visualize/theme';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

// Compile-time: playwright-core's real chromium fits the shape src/visualize/export.ts requires it as (it names no
// playwright type, to keep 2 MB of type files out of the notebook kernel's first cell). A change there fails tsc.
const fitsPlaywright: PlaywrightChromium = null as unknown as typeof playwrightChromium;
void fitsPlaywright;

/** Width × height of a PNG (IHDR) or WebP (VP8 / VP8L / VP8X header), read from the bytes. */
function imageSize(b: Buffer): { format: string; width: number; height: number } {
  if (b.subarray(0, 8).equals(Buffer.from(PNG_MAGIC))) return { format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  assert.equal(b.toString('latin1', 0, 4), 'RIFF');
  assert.equal(b.toString('latin1', 8, 12), 'WEBP');
  const chunk = b.toString('latin1', 12, 16);
  if (chunk === 'VP8X') return { format: 'webp', width: 1 + b.readUIntLE(24, 3), height: 1 + b.readUIntLE(27, 3) };
  if (chunk === 'VP8L') {
    const bits = b.readUInt32LE(21);
    return { format: 'webp', width: 1 + (bits & 0x3fff), height: 1 + ((bits >> 14) & 0x3fff) };
  }
  assert.equal(chunk, 'VP8 ');
  return { format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
}
const PLOTLY_VERSION = JSON.parse(fs.readFileSync(require.resolve('plotly.js-dist-min/package.json'), 'utf8')).version as string;

/** Two small figures made the way src/visualize makes them; the second has markup in its title on purpose. */
function figures(): Figure[] {
  const bars = makeFigure(
    'test_bars',
    'Transactions by weekday',
    [{ type: 'bar', x: ['Mon', 'Tue', 'Wed'], y: [120, 340, 90], marker: { color: '#4E79A7' } }],
    { ...baseLayout('Transactions by weekday', 'a test figure'), xaxis: axis('Weekday'), yaxis: axis('Transactions') },
  );
  const line = makeFigure(
    'test_line',
    'Balance </script> & <b>growth</b>',
    [{ type: 'scatter', mode: 'lines+markers', x: [1, 2, 3, 4], y: [1000, 1500, 1200, 2100] }],
    { ...baseLayout('Balance </script> & <b>growth</b>'), xaxis: axis('Month'), yaxis: axis('Balance (INR)') },
    { width: 800, height: 500 },
  );
  return [bars, line];
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

let dir: string;
before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bankseg-export-'));
});
after(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('figureHtml', () => {
  test('standalone: plotly.js inlined, no external script, the spec and the title are in the page', () => {
    const html = figureHtml(figures()[0]);
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes(`plotly.js v${PLOTLY_VERSION}`), 'the bundle itself is inlined');
    assert.ok(html.length > 1_000_000);
    assert.doesNotMatch(html, /<script[^>]*\bsrc=/i, 'no script is loaded from anywhere');
    assert.doesNotMatch(html, /<link[^>]*href=/i);
    assert.doesNotMatch(html, /cdn\.plot\.ly\/plotly/i);
    assert.ok(html.includes('<title>Transactions by weekday</title>'));
    assert.ok(html.includes('"Tue"') && html.includes('340'));
  });

  test('markup in a title cannot end the script or inject HTML', () => {
    const html = figureHtml(figures()[1]);
    const scripts = html.match(/<script>/g)?.length ?? 0;
    const closes = html.match(/<\/script>/gi)?.length ?? 0;
    assert.equal(scripts, 2);
    assert.equal(closes, 2, 'only the two real closing tags');
    assert.ok(html.includes('<title>Balance &lt;/script&gt; &amp; &lt;b&gt;growth&lt;/b&gt;</title>'));
  });
});

describe('exportFigures and renderStatic (headless Chromium)', () => {
  test('writes PNG (scale 2), SVG and HTML for each figure, atomically', async () => {
    const out = path.join(dir, 'all');
    const seen: string[] = [];
    const { written } = await exportFigures(figures(), out, { onFigure: (name, done, total) => seen.push(`${name} ${done}/${total}`) });
    const expected = ['test_bars', 'test_line'].flatMap((n) => ['html', 'png', 'svg'].map((ext) => path.join(out, `${n}.${ext}`)));
    assert.deepEqual([...written].sort(), expected.sort());
    assert.deepEqual(fs.readdirSync(out).sort(), expected.map((f) => path.basename(f)).sort(), 'no temp files left');
    assert.deepEqual(seen, ['test_bars 1/2', 'test_line 2/2']);

    const png = fs.readFileSync(path.join(out, 'test_bars.png'));
    assert.deepEqual([...png.subarray(0, 8)], PNG_MAGIC);
    assert.ok(png.length > 20_000, `PNG of ${png.length} bytes`);
    assert.deepEqual(pngSize(png), [2 * 1100, 2 * 650]);
    assert.deepEqual(pngSize(fs.readFileSync(path.join(out, 'test_line.png'))), [1600, 1000]);

    const svg = fs.readFileSync(path.join(out, 'test_bars.svg'), 'utf8');
    assert.ok(svg.startsWith('<svg'), svg.slice(0, 40));
    assert.ok(svg.includes('Transactions by weekday'));
    assert.ok(svg.includes('Weekday') && svg.includes('Tue'));
    const svg2 = fs.readFileSync(path.join(out, 'test_line.svg'), 'utf8');
    assert.ok(svg2.includes('Balance (INR)'));

    const html = fs.readFileSync(path.join(out, 'test_line.html'), 'utf8');
    assert.ok(html.includes(`plotly.js v${PLOTLY_VERSION}`));
    assert.doesNotMatch(html, /<script[^>]*\bsrc=/i);
  });

  test('formats can be chosen; HTML alone needs no browser', async () => {
    const out = path.join(dir, 'html-only');
    const { written } = await exportFigures(figures(), out, { formats: ['html'], executablePath: '/nonexistent/chromium' });
    assert.deepEqual(written.map((f) => path.basename(f)), ['test_bars.html', 'test_line.html']);
  });

  test('renderStatic returns PNG buffers and SVG text keyed by figure name', async () => {
    const svgs = await renderStatic(figures(), 'svg');
    assert.deepEqual([...svgs.keys()], ['test_bars', 'test_line']);
    const svg = svgs.get('test_bars');
    assert.equal(typeof svg, 'string');
    assert.ok((svg as string).includes('<svg') && (svg as string).includes('Transactions by weekday'));
    const pngs = await renderStatic(figures().slice(0, 1), 'png');
    const png = pngs.get('test_bars') as Buffer;
    assert.ok(Buffer.isBuffer(png));
    assert.deepEqual([...png.subarray(0, 8)], PNG_MAGIC);
  });

  test('renderImages: a 2× PNG and a 1× WebP of each figure in one browser, at the sizes asked for', async () => {
    const figs = figures();
    const images = await renderImages(figs, [{ format: 'png' }, { format: 'webp', scale: 1 }]);
    assert.deepEqual([...images.keys()], figs.map((f) => f.name));
    for (const fig of figs) {
      const [png, webp] = images.get(fig.name) as Buffer[];
      assert.deepEqual(imageSize(png), { format: 'png', width: 2 * (fig.width as number), height: 2 * (fig.height as number) });
      assert.deepEqual(imageSize(webp), { format: 'webp', width: fig.width, height: fig.height });
      assert.ok(webp.length < png.length / 2, `the WebP fallback is small (${webp.length} vs ${png.length} bytes)`);
    }
  });

  test('without Chromium: one-line error naming the package, and the HTML is still written', async () => {
    const out = path.join(dir, 'no-chromium');
    await assert.rejects(
      exportFigures(figures(), out, { executablePath: path.join(dir, 'no-such-chromium') }),
      (err: Error) => {
        assert.ok(err instanceof ChromiumUnavailableError);
        assert.ok(!err.message.includes('\n'), 'one line');
        assert.match(err.message, /apt-get install chromium/);
        assert.match(err.message, /no-such-chromium/);
        assert.match(err.message, /HTML figures were still written/);
        return true;
      },
    );
    assert.deepEqual(fs.readdirSync(out).sort(), ['test_bars.html', 'test_line.html']);
    await assert.rejects(renderStatic(figures(), 'png', { executablePath: '/nonexistent/chromium' }), /apt-get install chromium/);
  });

  test('a binary that is not Chromium: still a one-line error', async () => {
    await assert.rejects(renderStatic(figures(), 'png', { executablePath: '/bin/true' }), (err: Error) => {
      assert.ok(err instanceof ChromiumUnavailableError);
      assert.ok(!err.message.includes('\n'));
      assert.match(err.message, /did not start/);
      return true;
    });
  });

  test('duplicate or unsafe names are refused before anything is written', async () => {
    const [a] = figures();
    const out = path.join(dir, 'dupes');
    await assert.rejects(exportFigures([a, a], out, { formats: ['html'] }), /two figures are named "test_bars"/);
    await assert.rejects(exportFigures([{ ...a, name: '../evil' }], out, { formats: ['html'] }), /not a safe file stem/);
    assert.ok(!fs.existsSync(out));
  });
});
