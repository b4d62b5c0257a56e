{{- define "okrbot.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "okrbot.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "okrbot.selectorLabels" -}}
app.kubernetes.io/name: {{ include "okrbot.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "okrbot.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "okrbot.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "okrbot.secretName" -}}
{{- default (include "okrbot.fullname" .) .Values.existingSecret }}
{{- end }}

{{- define "okrbot.claimName" -}}
{{- default (include "okrbot.fullname" .) .Values.persistence.existingClaim }}
{{- end }}

{{- /*
okrbot.configFile is configFile as a map: configFile may be a map of
okrbot.yaml's keys or the whole file as a string (--set-file).
Returned as YAML; read it with fromYaml.
*/}}
{{- define "okrbot.configFile" -}}
{{- $c := .Values.configFile -}}
{{- if kindIs "string" $c -}}
{{- $c = fromYaml $c -}}
{{- if hasKey $c "Error" -}}
{{- fail (printf "configFile is not YAML: %s" (get $c "Error")) -}}
{{- end -}}
{{- else if kindIs "invalid" $c -}}
{{- $c = dict -}}
{{- else if not (kindIs "map" $c) -}}
{{- fail "configFile must be okrbot.yaml's keys (a map) or the file itself (a string, --set-file configFile=okrbot.yaml)" -}}
{{- end -}}
{{- toYaml $c -}}
{{- end }}

{{- /*
okrbot.hasConfigFile is "true" when configFile sets anything.
*/}}
{{- define "okrbot.hasConfigFile" -}}
{{- if include "okrbot.configFile" . | fromYaml -}}true{{- end -}}
{{- end }}

{{- /*
okrbot.fileValue is one setting of the file, by its dotted key, as a
string; empty when the key is absent or null.
*/}}
{{- define "okrbot.fileValue" -}}
{{- $v := .file -}}
{{- range splitList "." .key -}}
{{- if kindIs "map" $v -}}
{{- $v = get $v . -}}
{{- else -}}
{{- $v = "" -}}
{{- end -}}
{{- end -}}
{{- if not (kindIs "invalid" $v) -}}{{- $v -}}{{- end -}}
{{- end }}

{{- /*
okrbot.checkConfigFile refuses a configFile that would put a token into
the ConfigMap, or set something the chart also sets as an environment
variable to another value: the environment wins, so the file's value
would be silently ignored.
*/}}
{{- define "okrbot.checkConfigFile" -}}
{{- $file := include "okrbot.configFile" . | fromYaml -}}
{{- range list "slack.bot_token:secrets.slackBotToken" "slack.app_token:secrets.slackAppToken" "slack.signing_secret:secrets.slackSigningSecret" "teams.app_password:secrets.microsoftAppPassword" -}}
{{- $key := index (splitList ":" .) 0 -}}
{{- if include "okrbot.fileValue" (dict "file" $file "key" $key) -}}
{{- fail (printf "configFile.%s: tokens go in %s or existingSecret (a Secret), not in configFile (a ConfigMap)" $key (index (splitList ":" .) 1)) -}}
{{- end -}}
{{- end -}}
{{- $chart := list
  (list "db" (ternary "" "/data/okrbot.db" (eq (include "okrbot.onServer" .) "true")) "the chart keeps the database at /data/okrbot.db on the volume (OKRBOT_DB); remove it")
  (list "addr" (printf ":%d" (int .Values.config.port)) "set config.port instead")
  (list "log_level" .Values.config.logLevel "set config.logLevel instead, or config.logLevel: \"\" to leave it to the file")
  (list "log_format" .Values.config.logFormat "set config.logFormat instead, or config.logFormat: \"\" to leave it to the file")
  (list "schedule" .Values.config.schedule "set config.schedule instead, or config.schedule: \"\" to leave it to the file")
  (list "workspace" .Values.config.workspace "set one of them")
  (list "timezone" .Values.config.timezone "set one of them")
  (list "slack.api_url" .Values.config.slackApiUrl "set one of them")
  (list "teams.app_id" .Values.config.microsoftAppId "set one of them")
  (list "teams.tenant_id" .Values.config.microsoftAppTenantId "set one of them")
-}}
{{- if .Values.backup.enabled -}}
{{- $chart = concat $chart (list
  (list "backup.dir" "/data/backups" "backup.enabled keeps backups in /data/backups; turn it off to choose another directory")
  (list "backup.every" (toString .Values.backup.every) "set backup.every instead")
  (list "backup.keep" (toString .Values.backup.keep) "set backup.keep instead")
) -}}
{{- end -}}
{{- range $chart -}}
{{- $key := index . 0 -}}
{{- $want := toString (index . 1) -}}
{{- $got := include "okrbot.fileValue" (dict "file" $file "key" $key) -}}
{{- if and $got $want (ne $got $want) -}}
{{- fail (printf "configFile.%s %q is overridden by the chart's %q (an environment variable wins over the file): %s" $key $got $want (index . 2)) -}}
{{- end -}}
{{- end -}}
{{- end }}

{{- /*
okrbot.onServer is "true" when okrbot runs on a PostgreSQL database.
*/}}
{{- define "okrbot.onServer" -}}
{{- if or .Values.database.url .Values.database.existingSecret -}}true{{- end -}}
{{- end }}

{{- /*
okrbot.checkReplicas refuses what several pods cannot do: more than one on
the database file, backups of the file on PostgreSQL, both ways of giving
the URL.
*/}}
{{- define "okrbot.checkReplicas" -}}
{{- $n := int .Values.replicaCount -}}
{{- if lt $n 1 -}}
{{- fail (printf "replicaCount %d: run at least one pod" $n) -}}
{{- end -}}
{{- if and (gt $n 1) (not (include "okrbot.onServer" .)) -}}
{{- fail (printf "replicaCount %d needs a PostgreSQL database (database.url, or database.existingSecret): the database file allows one writer, so on it okrbot runs as one pod" $n) -}}
{{- end -}}
{{- if and .Values.database.url .Values.database.existingSecret -}}
{{- fail "database.url and database.existingSecret both give the database URL: keep one" -}}
{{- end -}}
{{- if and .Values.database.existingSecret .Values.database.password -}}
{{- fail "database.password goes with database.url; with database.existingSecret put the password in that Secret's URL" -}}
{{- end -}}
{{- if and .Values.database.url (not (hasPrefix "postgres://" .Values.database.url)) (not (hasPrefix "postgresql://" .Values.database.url)) -}}
{{- fail (printf "database.url %q: give a postgres:// URL" .Values.database.url) -}}
{{- end -}}
{{- if and (include "okrbot.onServer" .) .Values.backup.enabled -}}
{{- fail "backup.enabled copies the database file; a PostgreSQL database is backed up with pg_dump (see the README): turn backup.enabled off" -}}
{{- end -}}
{{- end }}
