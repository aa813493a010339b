// Redacting words by selecting them (sar/templates/sar/admin/redaction_record.html).
//
// Each part of the record is printed as runs, each with data-offset: where
// the run starts in the part's text, counted as the browser counts. When the
// caseworker selects words inside one part, this fills the "Redact words
// yourself" form: the part, the words, which time they appear, and the hidden
// start and end offsets the server maps back onto the record's text. The
// caseworker then chooses a reason and submits; nothing is sent until then.
//
// Without this script the same form works by typing or pasting the words and
// saying which time they appear.

const form = document.querySelector("form[data-sar-manual]");

function part(node) {
  const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
  return element ? element.closest("[data-sar-part]") : null;
}

function runsOf(container) {
  return [...container.querySelectorAll("[data-offset]")];
}

// The part's text exactly as the runs hold it (and as the offsets count it).
function textOf(container) {
  return runsOf(container)
    .map((run) => run.textContent)
    .join("");
}

// Where a selection boundary (node, offset) falls in the part's text.
function offsetOf(container, node, offset) {
  if (node.nodeType === Node.TEXT_NODE) {
    const run = node.parentElement.closest("[data-offset]");
    if (run && container.contains(run)) {
      return Number(run.dataset.offset) + offset;
    }
  }
  // A boundary between elements: the start of the next run, or the end of
  // the text when there is none.
  const runs = runsOf(container);
  const probe = document.createRange();
  probe.setStart(node, offset);
  for (const run of runs) {
    if (probe.comparePoint(run, 0) >= 0) {
      return Number(run.dataset.offset);
    }
  }
  return textOf(container).length;
}

function field(name) {
  return form.elements.namedItem(`manual-${name}`);
}

function clearOffsets() {
  field("start").value = "";
  field("end").value = "";
}

function choosePart(name) {
  const choice = field("field");
  if (choice instanceof RadioNodeList || choice instanceof HTMLCollection) {
    for (const radio of choice) {
      radio.checked = radio.value === name;
    }
  } else if (choice) {
    choice.value = name;
  }
}

function occurrenceOf(text, words, start) {
  let count = 0;
  let position = text.indexOf(words);
  while (position >= 0 && position <= start) {
    count += 1;
    position = text.indexOf(words, position + 1);
  }
  return Math.max(count, 1);
}

function onSelection() {
  const selection = document.getSelection();
  if (!selection || selection.isCollapsed || selection.rangeCount === 0) {
    return;
  }
  const range = selection.getRangeAt(0);
  const container = part(range.startContainer);
  if (!container || part(range.endContainer) !== container) {
    return;
  }
  const text = textOf(container);
  let start = offsetOf(container, range.startContainer, range.startOffset);
  let end = offsetOf(container, range.endContainer, range.endOffset);
  // Leave out the spaces a selection tends to take in at its ends (the server
  // does the same).
  while (start < end && /\s/.test(text[start])) start += 1;
  while (end > start && /\s/.test(text[end - 1])) end -= 1;
  if (start >= end) {
    return;
  }
  const words = text.slice(start, end);
  const name = container.dataset.sarPart;
  choosePart(name);
  field("text").value = words;
  field("occurrence").value = String(occurrenceOf(text, words, start));
  field("start").value = String(start);
  field("end").value = String(end);
  const label = document.getElementById(`sar-part-${name}-label`);
  const status = form.querySelector("[data-sar-selection]");
  status.textContent = status.dataset.template
    // Functions, so a "$" in the words is not read as a replacement pattern.
    .replace("{part}", () => (label ? label.textContent.trim() : name))
    .replace("{words}", () => words);
}

if (form) {
  let pending = 0;
  document.addEventListener("selectionchange", () => {
    window.clearTimeout(pending);
    pending = window.setTimeout(onSelection, 150);
  });
  // Typing the words or changing which part or time by hand means the
  // selection's offsets no longer apply: the server finds the words instead.
  for (const name of ["text", "occurrence"]) {
    field(name)?.addEventListener("input", clearOffsets);
  }
  const choice = field("field");
  if (choice && choice.length !== undefined) {
    for (const radio of choice) radio.addEventListener("change", clearOffsets);
  } else {
    choice?.addEventListener("change", clearOffsets);
  }
}
