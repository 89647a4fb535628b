// Upload progress for forms marked data-upload-progress="ID": htmx sends the form, and the
// <progress id=ID> follows the bytes sent (htmx:xhr:progress). A file, not an inline script, so
// the pages' Content-Security-Policy can forbid inline scripts.
document.addEventListener("htmx:xhr:progress", (event) => {
  const form = event.target.closest("[data-upload-progress]");
  if (!form || !event.detail.lengthComputable) return;
  const bar = document.getElementById(form.dataset.uploadProgress);
  if (bar) bar.value = Math.round((event.detail.loaded / event.detail.total) * 100);
});
