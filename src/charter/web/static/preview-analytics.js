// The sample statistics script of /consent/preview: it must run only after consent.
window.charterPreviewAnalyticsRan = (window.charterPreviewAnalyticsRan || 0) + 1;
document.cookie = "_ga=GA1.1.preview; path=/; max-age=3600; SameSite=Lax";
var status = document.getElementById("analytics-status");
if (status) { status.textContent = status.getAttribute("data-running") || "Statistics script: running."; }
