// Demonstration titles, office and standards pages: add rows to a formset table (standard items, cycle quotas)
// and show the running total of the scored items. Progressive enhancement: each form works without it
// (a blank row is always there and rows are removed with their 删除 checkbox).
document.addEventListener("DOMContentLoaded", () => {
  const scoredTotal = document.getElementById("scored-total");

  function updateTotal() {
    if (!scoredTotal) return;
    let total = 0;
    document.querySelectorAll("#items-rows tr").forEach((row) => {
      const kind = row.querySelector("select[name$='-kind']");
      const points = row.querySelector("input[name$='-points']");
      const removed = row.querySelector("input[name$='-DELETE']");
      if (!kind || !points || kind.value !== "scored" || (removed && removed.checked)) return;
      const value = Number.parseFloat(points.value);
      if (Number.isFinite(value)) total += value;
    });
    scoredTotal.textContent = String(Math.round(total * 10) / 10);
  }

  document.querySelectorAll("[data-formset-add]").forEach((button) => {
    const prefix = button.dataset.formsetAdd;
    const template = document.getElementById(`${prefix}-template`);
    const rows = document.getElementById(`${prefix}-rows`);
    const count = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    if (!template || !rows || !count) return;
    button.hidden = false;
    button.addEventListener("click", () => {
      const index = Number(count.value);
      const html = template.innerHTML.replaceAll("__prefix__", String(index))
        .replaceAll("__number__", String(index + 1));
      rows.insertAdjacentHTML("beforeend", html);
      count.value = String(index + 1);
      const first = rows.lastElementChild && rows.lastElementChild.querySelector("select, input, textarea");
      if (first) first.focus();
      updateTotal();
    });
  });

  const itemRows = document.getElementById("items-rows");
  if (itemRows && scoredTotal) {
    itemRows.addEventListener("input", updateTotal);
    itemRows.addEventListener("change", updateTotal);
    updateTotal();
  }
});
