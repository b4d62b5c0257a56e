// The Teams tab: TeamsJS gets a token for okrbot's app (single sign-on),
// okrbot checks it and answers with the address of a session.
window.addEventListener("DOMContentLoaded", async () => {
  const el = document.getElementById("tab");
  const next = el.dataset.next;
  const say = (text) => { el.textContent = text; };
  try {
    await microsoftTeams.app.initialize();
    const token = await microsoftTeams.authentication.getAuthToken();
    const res = await fetch("/okr/tab/session?next=" + encodeURIComponent(next), {
      method: "POST", headers: { Authorization: "Bearer " + token }, credentials: "include",
    });
    const body = await res.json();
    if (!res.ok) { say(body.error || "okrbot could not sign you in."); return; }
    window.location.replace(body.url);
  } catch (e) {
    say("Teams could not sign you in here. Outside Teams, type /okr web to okrbot for a link.");
  }
});
