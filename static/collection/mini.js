// The Print button of the mini receipt page.
document.getElementById("mini-print").addEventListener("click", () => window.print());
