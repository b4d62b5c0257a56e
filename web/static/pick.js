// The channel tab's configuration: the chosen team's page becomes the
// tab's content, signed in through the same single sign-on as "My OKRs".
window.addEventListener("DOMContentLoaded", async () => {
  await microsoftTeams.app.initialize();
  let chosen = null;
  document.querySelectorAll("#pick input[name=team]").forEach((input) => {
    input.addEventListener("change", () => {
      chosen = { id: input.value, name: input.dataset.name };
      microsoftTeams.pages.config.setValidityState(true);
    });
  });
  microsoftTeams.pages.config.registerOnSaveHandler((save) => {
    if (!chosen) { save.notifyFailure("Choose a team"); return; }
    microsoftTeams.pages.config.setConfig({
      entityId: "okrbot-team-" + chosen.id,
      contentUrl: location.origin + "/okr/tab?team=" + chosen.id,
      websiteUrl: location.origin + "/okr/team/" + chosen.id,
      suggestedDisplayName: "OKRs · " + chosen.name,
    }).then(() => save.notifySuccess(), (e) => save.notifyFailure(String(e)));
  });
});
