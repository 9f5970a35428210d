// Public complaint pages: progressive enhancement only; the server checks everything again.
document.addEventListener("DOMContentLoaded", () => {
  // Evidence files: say at once when there are too many or one is too large (the server re-checks by content).
  const files = document.getElementById("id_files");
  const error = document.getElementById("files-error");
  if (files && error) {
    files.addEventListener("change", () => {
      const maxFiles = Number(files.dataset.maxFiles);
      const maxBytes = Number(files.dataset.maxBytes);
      const chosen = Array.from(files.files);
      let message = "";
      if (chosen.length > maxFiles) {
        message = `证据材料最多 ${maxFiles} 个文件，请重新选择。`;
      } else {
        const big = chosen.find((file) => file.size > maxBytes);
        if (big) message = `文件“${big.name}”超过 ${Math.floor(maxBytes / 1048576)} MB，请换一个较小的文件。`;
      }
      error.textContent = message;
      error.hidden = !message;
    });
  }
  // Print buttons on documents (hidden until this script runs).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
});
