// Draws the dashboard's payments chart from the JSON the page carries in
// <script type="application/json" id="payments-chart-data"> (no inline
// scripts: the Content-Security-Policy forbids them).
document.addEventListener("DOMContentLoaded", () => {
  const source = document.getElementById("payments-chart-data");
  const canvas = document.getElementById("payments-chart");
  if (!source || !canvas || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || undefined;
  new window.Chart(canvas, {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: [{ label: data.label, data: data.values, backgroundColor: "#1f6feb" }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: {
        y: {
          beginAtZero: true,
          ticks: { callback: (value) => Number(value).toLocaleString(lang) },
        },
      },
    },
  });
});
