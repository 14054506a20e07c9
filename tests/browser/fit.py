"""Text that does not fit where Flutter lays it out, found from the semantics tree (issue 17 point 3).

The semantics tree gives each text's full string and the box it was laid out in, never the pixels: a title cut
to "Lägg till en gr…", a helper text ending "…", or a field's label that wraps over its own border all report
their whole text in a box that looks fine, and a box-against-box check (`FletWeb.overlapping_texts`) sees no
pair. So the string is measured here, in the page, with the font the app draws with (Flutter's bundled
Roboto, loaded once from the app's own assets) at the size the box implies:

* a text node one line tall (Material's line heights 16, 20, 24, 28 px times the text scale, for the 12, 14,
  16 and 22 px styles) whose string needs more width than its box is cut (ellipsis or clip);
* a node wider than the scrolling body it lies in is cut at the body's edge (a fixed width of 680 px);
* a text field's label that needs more than its one line: Flutter wraps it over the field's border and over
  its value ("Time zone where the group meets" over "Stockholm" at 200 %). Measured inline (16 px), as it
  shows in an empty field (the tree does not tell an empty field from a full one), or floating (12 px) on a
  dropdown whose name says what is chosen; a dropdown's chosen text wider than its box is cut, unless its
  helper text says it whole (`long_dropdown`). A field or a dropdown whose label is a text of its own just
  over it (views.common `_label_over`) has nothing to fit inside.
* a navigation tab's label with a word wider than the tab: Flutter breaks the word inside ("Inställning / ar").
  Measured at 12 px times the text scale, at most 1.3, as Flutter's bar clamps it.

Measured at weight 400 without letter spacing, so a string is, if anything, measured short: a finding is a
real one. The text scale is the root element's font size over 16 px (how `FletWeb.set_text_scale` sets it).
"""

from __future__ import annotations

from typing import Any

FONT_URL = "assets/fonts/roboto.woff2"  # flet-web's own Roboto, the one Flutter's engine draws with

MEASURE = """async (fontUrl) => {
    if (!window.__kraftFit) {
        const face = new FontFace('KraftFit', `url(${new URL(fontUrl, document.baseURI)})`);
        document.fonts.add(await face.load());
        window.__kraftFit = document.createElement('canvas').getContext('2d');
    }
    const ctx = window.__kraftFit;
    const scale = parseFloat(getComputedStyle(document.documentElement).fontSize) / 16;
    const width = (text, px) => { ctx.font = `${px}px KraftFit`; return ctx.measureText(text).width; };
    const LINE = {16: 12, 20: 14, 24: 16, 28: 22};  // Material 3 line height -> font size, at 100 %
    const slack = (w) => 2 + 0.02 * w;
    const box = (r) => [r.left, r.top, r.right, r.bottom].map(Math.round);
    const out = [];
    const texts = [...document.querySelectorAll('flt-semantics')]
        .filter(n => n.querySelector(':scope > span') && !n.querySelector('flt-semantics'))
        .map(n => [(n.textContent || '').trim(), n.getBoundingClientRect()]);
    const shownAbove = (label, r) => texts.some(([text, t]) =>
        text === label && Math.abs(t.left - r.left) <= 4 && t.bottom <= r.top + 2 && t.bottom >= r.top - 16 * scale);
    const visible = (r) => r.bottom > 0 && r.top < innerHeight && r.right - r.left >= 2 && r.bottom - r.top >= 2;
    // a header (a screen's title, a section title) is an <h2> in the tree, not a flt-semantics node
    for (const n of document.querySelectorAll('flt-semantics, h1, h2, h3, h4, h5, h6')) {
        const r = n.getBoundingClientRect();
        if (!visible(r)) continue;
        if (n.getAttribute('role') === 'tab') {  // a navigation destination, named by its label
            // the label wraps between its words; a word wider than the tab breaks inside it ("Verktygslå /
            // da"). Flutter's bar draws it at 12 px times the text scale, at most 1.3 (its clamp), here
            // without letter spacing (views.theme `tab_labels`). No slack: "Inställningar" (86 px) broke in
            // a tab of 85 at 360 px.
            const label = n.getAttribute('aria-label') || '';
            if (label.split(/\\s+/).some(word => width(word, 12 * Math.min(scale, 1.3)) > r.width))
                out.push({kind: 'broken inside a word', text: label, box: box(r)});
            continue;
        }
        const body = n.parentElement?.closest('flt-semantics[role="group"]');
        const input = n.querySelector(':scope > input');
        const header = /^H[1-6]$/.test(n.tagName);
        const span = header ? n : n.querySelector(':scope > span');
        if (span || input || n.getAttribute('aria-expanded') !== null) {
            if (body) {
                const c = body.getBoundingClientRect();
                if (r.right > c.right + 2 || r.left < c.left - 2) {
                    const text = input ? input.getAttribute('aria-label')
                        : (n.getAttribute('aria-label') || n.textContent || '').trim().replace('\\n', ': ');
                    out.push({kind: 'past its column', text, box: box(r)});
                    continue;
                }
            }
        }
        // Flutter clips a node's rect to its scrolling body: one at the body's edge may show one line of many
        const c = body?.getBoundingClientRect();
        const partial = r.bottom > innerHeight - 1 || (c && (r.top < c.top + 1 || r.bottom > c.bottom - 1));
        if (span && !partial) {  // a Text: one line tall and narrower than its string
            const text = (span.textContent || '').trim();
            // an app bar's title (a header) grows only to 1.34 times its size (Flutter's AppBar clamps it);
            // a section title, also a header, grows fully and is not one line of any size at 1.34
            const scales = header ? [Math.min(scale, 1.34), scale] : [scale];
            const sized = scales.map(s => [LINE[Math.round(r.height / s)], s])
                .filter(([font]) => font);
            const [font, s] = sized[0] || [];
            if (text && font && width(text, font * s) > r.width + slack(r.width))
                out.push({kind: 'cut', text, box: box(r)});
            // a word wider than its box breaks inside it ("Samtalsgrup / pen" in the app bar at 200 %). The
            // box is as wide as the text's widest line. Its size: n lines of a Material line height, read
            // only where the text needs n lines at that size (more than one line's width, at most n); of the
            // readings left, the smallest size, so a finding is sure. Words of letters only: a link or a
            // code may break where it has to.
            if (text && !text.includes('\\n')) {
                const read = [];
                for (const s of scales) for (let lines = 1; lines <= 4; lines++) {
                    const size = LINE[Math.round(r.height / (s * lines))] * s;
                    const whole = size && width(text, size);
                    if (size && (lines === 1 ? whole <= r.width + slack(r.width)
                                             : whole > r.width && whole <= lines * (r.width + slack(r.width))))
                        read.push(size);
                }
                const size = Math.min(...read);
                const words = text.split(/[\\s\\-\\u2010-\\u2014\\/]+/).filter(w => /^\\p{L}+$/u.test(w));
                if (read.length && words.some(w => width(w, size) > r.width + slack(r.width)))
                    out.push({kind: 'broken inside a word', text, box: box(r)});
            }
        } else if (input && input.getAttribute('aria-label')) {
            const label = input.getAttribute('aria-label');
            // a field with its label over it as a text of its own draws its own label invisible (views.common
            // `_label_over`): nothing of it to fit inside the field
            if (shownAbove(label, r)) continue;
            // clipped at the edge of the body that scrolls it (not a dropdown's own named group, which it
            // fills): measured a scroll on, where it shows whole
            let around = n.parentElement?.closest('flt-semantics[role="group"]');
            while (around && around.getBoundingClientRect().height <= r.height + 2)
                around = around.parentElement?.closest('flt-semantics[role="group"]');
            const a = around?.getBoundingClientRect();
            if (r.bottom > innerHeight - 1 || (a && (r.top < a.top + 1 || r.bottom > a.bottom - 1))) continue;
            const icons = [...n.querySelectorAll(':scope > flt-semantics[role="button"]')]
                .reduce((s, b) => s + b.getBoundingClientRect().width, 0);
            // the tree does not say whether the field holds text (its input's value is empty until it
            // has the focus): the label must fit inline, as it shows in an empty field, unless a dropdown's
            // label says what is chosen ("label: chosen", views.common.type_ahead): then it floats, smaller
            const named = n.parentElement?.closest('flt-semantics[aria-label]')?.getAttribute('aria-label');
            const chosen = named && named.startsWith(label + ': ') ? named.slice(label.length + 2) : '';
            const room = r.width - 32 - (chosen ? 0 : icons);
            if (width(label, (chosen ? 12 : 16) * scale) > room + slack(room))
                out.push({kind: 'label over its field', text: label, box: box(r)});
            if (chosen && width(chosen, 16 * scale) > room - icons + slack(room))
                out.push({kind: 'cut', text: chosen, box: box(r)});
        } else if (n.getAttribute('aria-expanded') !== null) {
            // a dropdown (views.common, Flutter's M2 button): named by its label, a line break, what is chosen;
            // the name is its aria-label, or its own text where it holds no other node
            const own = [...n.childNodes].filter(c => c.nodeType === Node.TEXT_NODE).map(c => c.textContent).join('');
            const name = (n.getAttribute('aria-label') || own).trim();
            const at = name.indexOf('\\n');
            if (at < 0) continue;
            const [label, chosen] = [name.slice(0, at), name.slice(at + 1)];
            if (!shownAbove(label, r) && width(label, 12 * scale) > r.width - 32 + slack(r.width))
                out.push({kind: 'label over its field', text: label, box: box(r)});
            // a choice drawn with "…" whose helper text under it says it whole (views.common `long_dropdown`)
            const whole = [...n.querySelectorAll('flt-semantics')].some(c => (c.textContent || '').trim() === chosen);
            if (!whole && width(chosen, 16 * scale) > r.width - 56 + slack(r.width))
                out.push({kind: 'cut', text: chosen, box: box(r)});
        }
    }
    return out;
}"""


def misfits(page: Any) -> list[dict[str, Any]]:
    """Every text on screen that does not fit its box: {kind, text, box}, kind one of "cut", "past its
    column", "label over its field", "broken inside a word"."""
    return list(page.evaluate(MEASURE, FONT_URL))
