// Collect payment: the same checks the server makes on the amount, the instrument fields of the chosen method, and
// the confirmation dialog. Without JavaScript the form still works; the server checks everything again.
(() => {
  const form = document.getElementById("collect-form");
  if (!form) return;
  const dialog = document.getElementById("collect-confirm");
  const amount = form.elements.amount;
  const kind = document.getElementById("amount-kind");
  const total = Number(form.dataset.total);
  const minimum = Math.min(Number(form.dataset.minimum), total);
  const partAllowed = form.dataset.partAllowed === "1";
  const advanceAllowed = form.dataset.advanceAllowed === "1";
  const instrumentModes = form.dataset.instrumentModes.split(",");
  const pattern = new RegExp(`^${amount.getAttribute("pattern")}$`);
  const rupees = (value) => `₹${value.toLocaleString("en-IN", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

  let error = document.createElement("p");
  error.className = "field-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  amount.closest(".field").append(error);

  function amountProblem() {
    const text = amount.value.trim();
    if (!text) return "Enter the amount to pay.";
    if (!pattern.test(text)) {
      return amount.inputMode === "numeric"
        ? "Enter the amount in whole rupees, digits only."
        : "Enter the amount in rupees, with at most two decimal places.";
    }
    const value = Number(text);
    if (value === 0) return "The amount must be more than zero.";
    if (value < total && !partAllowed) return `Partial payment is not allowed: pay ${rupees(total)}.`;
    if (value > total && !advanceAllowed) return `Advance payment is not allowed: at most ${rupees(total)}.`;
    if (value < minimum) return `At least ${rupees(minimum)} must be paid.`;
    return "";
  }

  function describe() {
    const problem = amountProblem();
    const value = Number(amount.value.trim());
    kind.textContent = "";
    if (!problem && value < total) kind.textContent = `Partial payment: ${rupees(total - value)} will remain due.`;
    if (!problem && value > total) kind.textContent = `${rupees(value - total)} will be kept as advance.`;
    return problem;
  }

  function chosenMode() {
    return form.querySelector("input[name=payment_mode]:checked");
  }

  function showInstrumentFields() {
    const mode = chosenMode()?.value;
    const fields = { instrument_number: false, instrument_date: false, ifsc_code: false, transaction_number: false };
    if (instrumentModes.includes(mode)) Object.assign(fields, { instrument_number: true, instrument_date: true, ifsc_code: true });
    if (mode === form.dataset.cardMode) fields.transaction_number = true;
    for (const [name, shown] of Object.entries(fields)) {
      const field = form.querySelector(`[data-field=${name}]`);
      if (field) field.hidden = !shown;
    }
    const box = document.getElementById("instrument-fields");
    if (box) box.hidden = !Object.values(fields).some(Boolean);
  }

  amount.addEventListener("input", () => {
    error.hidden = true;
    describe();
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "payment_mode") showInstrumentFields();
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const problem = describe();
    if (problem) {
      error.textContent = problem;
      error.hidden = false;
      amount.focus();
      return;
    }
    document.getElementById("confirm-amount").textContent = rupees(Number(amount.value.trim()));
    document.getElementById("confirm-mode").textContent = chosenMode()?.parentElement.textContent.trim().toLowerCase() ?? "";
    dialog.showModal();
  });
  document.getElementById("confirm-yes").addEventListener("click", () => {
    document.getElementById("confirm-yes").disabled = true;
    form.submit();
  });
  document.getElementById("confirm-no").addEventListener("click", () => dialog.close());

  showInstrumentFields();
  describe();
})();
