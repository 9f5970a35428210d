// Complaint workbench pages: progressive enhancement only; every page works without it.
document.addEventListener("DOMContentLoaded", () => {
  // Printable documents: <button data-print>.
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
  // Staff entry: the station field matters only when the channel is a service station.
  const channel = document.getElementById("id_channel");
  const station = document.querySelector("[data-station-field]");
  if (channel && station) {
    const sync = () => { station.hidden = channel.value !== "station"; };
    channel.addEventListener("change", sync);
    sync();
  }
});
