{{/*
Helpers of the genesys-voice-agents chart ("gva").
*/}}

{{- define "gva.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Release-scoped base name; component objects append -agent, -dispatch, -sip. */}}
{{- define "gva.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 50 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 50 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gva.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels. Call with (dict "ctx" $ "component" "agent"). */}}
{{- define "gva.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gva.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Standard labels. Call with (dict "ctx" $ "component" "agent"). */}}
{{- define "gva.labels" -}}
helm.sh/chart: {{ include "gva.chart" .ctx }}
{{ include "gva.selectorLabels" . }}
app.kubernetes.io/part-of: {{ include "gva.name" .ctx }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "gva.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gva.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* The agent/dispatch image. */}}
{{- define "gva.image" -}}
{{- $img := .Values.image }}
{{- if $img.digest }}
{{- printf "%s@%s" $img.repository $img.digest }}
{{- else }}
{{- printf "%s:%s" $img.repository (default .Chart.AppVersion $img.tag) }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding LIVEKIT_API_KEY, LIVEKIT_API_SECRET, ... */}}
{{- define "gva.secretName" -}}
{{- default (printf "%s-secrets" (include "gva.fullname" .)) .Values.secrets.existingSecret }}
{{- end }}

{{/* Full name the official livekit-server chart gives its objects. */}}
{{- define "gva.livekitServerFullname" -}}
{{- $lk := index .Values "livekit-server" }}
{{- if $lk.fullnameOverride }}
{{- $lk.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default "livekit-server" $lk.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* ws(s):// URL of livekit-server: livekit.url, else the bundled server's Service. */}}
{{- define "gva.livekitUrl" -}}
{{- if .Values.livekit.url }}
{{- .Values.livekit.url }}
{{- else if (index .Values "livekit-server").enabled }}
{{- $port := dig "loadBalancer" "servicePort" 80 (index .Values "livekit-server") }}
{{- printf "ws://%s.%s.svc:%v" (include "gva.livekitServerFullname" .) .Release.Namespace $port }}
{{- else }}
{{- fail "set livekit.url (ws:// or wss:// URL of livekit-server), or enable the livekit-server dependency" }}
{{- end }}
{{- end }}

{{/* host:port of the Redis livekit-sip shares with livekit-server. */}}
{{- define "gva.redisAddress" -}}
{{- if .Values.redis.enabled }}
{{- $name := "redis" }}
{{- $full := ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) }}
{{- printf "%s-master.%s.svc:6379" ($full | trunc 63 | trimSuffix "-") .Release.Namespace }}
{{- else }}
{{- required "set externalRedis.address (host:port of the Redis livekit-server uses), or enable the redis dependency" .Values.externalRedis.address }}
{{- end }}
{{- end }}

{{/* The routing file as YAML text, checked to be a YAML map with version 1. */}}
{{- define "gva.routingYaml" -}}
{{- $cfg := .Values.routing.config }}
{{- if not $cfg }}
{{- fail "set routing.config: the routing file (contracts/routing.ts format), as a YAML string or a map" }}
{{- end }}
{{- $text := ternary $cfg (toYaml $cfg) (kindIs "string" $cfg) }}
{{- $parsed := fromYaml $text }}
{{- if hasKey $parsed "Error" }}
{{- fail (printf "routing.config is not valid YAML: %s" $parsed.Error) }}
{{- end }}
{{- if ne (toString (get $parsed "version")) "1" }}
{{- fail "routing.config: version must be 1" }}
{{- end }}
{{- $text }}
{{- end }}

{{/* Pod annotation that rolls agent and dispatch pods when routing or secrets change. */}}
{{- define "gva.configChecksums" -}}
checksum/routing: {{ include "gva.routingYaml" . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secrets: {{ include (print .Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{- define "gva.routingMountPath" -}}
/etc/genesys-voice-agents
{{- end }}

{{/*
Environment shared by the agent and dispatch containers (and migrations):
the LiveKit URL and the routing file (the Secret's keys come by envFrom).
*/}}
{{- define "gva.appEnvFrom" -}}
- secretRef:
    name: {{ include "gva.secretName" . }}
{{- end }}

{{- define "gva.appEnv" -}}
- name: LIVEKIT_URL
  value: {{ include "gva.livekitUrl" . | quote }}
- name: ROUTING_FILE
  value: {{ printf "%s/routing.yaml" (include "gva.routingMountPath" .) }}
- name: HOME
  value: /tmp
{{- end }}

{{/* Volumes every app pod has: the routing file and a writable /tmp. */}}
{{- define "gva.appVolumes" -}}
- name: routing
  configMap:
    name: {{ include "gva.fullname" . }}-routing
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end }}

{{- define "gva.appVolumeMounts" -}}
- name: routing
  mountPath: {{ include "gva.routingMountPath" . }}
  readOnly: true
- name: tmp
  mountPath: /tmp
{{- end }}

{{/* terminationGracePeriodSeconds of the agent: at least the drain timeout. */}}
{{- define "gva.agentTerminationGrace" -}}
{{- $drain := int .Values.agent.drainTimeoutSeconds }}
{{- $grace := .Values.agent.terminationGracePeriodSeconds }}
{{- if kindIs "invalid" $grace }}
{{- add $drain 30 }}
{{- else if lt (int $grace) $drain }}
{{- fail (printf "agent.terminationGracePeriodSeconds (%d) must be >= agent.drainTimeoutSeconds (%d), or Kubernetes kills calls that are still draining" (int $grace) $drain) }}
{{- else }}
{{- int $grace }}
{{- end }}
{{- end }}

{{/* Pod-level scheduling fields. Call with the component's values. */}}
{{- define "gva.scheduling" -}}
{{- with .priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* stringData of the chart-managed Secret (also copied by the migrations hook). */}}
{{- define "gva.secretStringData" -}}
{{- $s := .Values.secrets }}
{{- $secret := required "set secrets.livekitApiSecret (or secrets.existingSecret)" $s.livekitApiSecret }}
{{- if lt (len $secret) 8 }}
{{- fail "secrets.livekitApiSecret must be at least 8 characters" }}
{{- end -}}
LIVEKIT_API_KEY: {{ required "set secrets.livekitApiKey (or secrets.existingSecret)" $s.livekitApiKey | quote }}
LIVEKIT_API_SECRET: {{ $secret | quote }}
{{- with $s.dispatchApiToken }}
{{- if lt (len .) 16 }}
{{- fail "secrets.dispatchApiToken must be at least 16 characters" }}
{{- end }}
DISPATCH_API_TOKEN: {{ . | quote }}
{{- end }}
{{- with $s.databaseUrl }}
DATABASE_URL: {{ . | quote }}
{{- end }}
{{- with $s.redisPassword }}
REDIS_PASSWORD: {{ . | quote }}
{{- end }}
{{- range $k, $v := $s.extra }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* Egress rules of every NetworkPolicy of the chart. */}}
{{- define "gva.npEgress" -}}
{{- $np := .Values.networkPolicy }}
{{- if $np.allowAllEgress }}
- {}
{{- else }}
# DNS
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
# Anything in this namespace (livekit-server, Redis, PostgreSQL).
- to:
    - podSelector: {}
{{- with $np.egressTo }}
{{ toYaml . }}
{{- end }}
{{- end }}
{{- end }}

{{/* A CPU quantity ("1", "1.5", "500m", 2) in millicores. */}}
{{- define "gva.millicores" -}}
{{- $q := toString . }}
{{- if hasSuffix "m" $q }}
{{- trimSuffix "m" $q | int }}
{{- else }}
{{- mulf (float64 $q) 1000 | int }}
{{- end }}
{{- end }}

{{/*
The HPA must add pods before workers report themselves full: its CPU target
(a percentage of the request, so target * request / limit of what the pod
can use) must stay below agent.cpuLoadLimit, and its active-calls target
below agent.maxCalls.
*/}}
{{- define "gva.checkHpaTarget" -}}
{{- $a := .Values.agent }}
{{- $as := $a.autoscaling }}
{{- $req := include "gva.millicores" $a.resources.requests.cpu | int }}
{{- $lim := include "gva.millicores" $a.resources.limits.cpu | int }}
{{- $load := div (mul $as.targetCPUUtilizationPercentage $req) $lim }}
{{- $limit := mulf $a.cpuLoadLimit 100 | int }}
{{- if and (gt $limit 0) (ge (int $load) $limit) }}
{{- fail (printf "agent.autoscaling.targetCPUUtilizationPercentage %d%% of a %dm request is %d%% of the %dm limit, not below agent.cpuLoadLimit (%d%%): workers would be full before the HPA adds pods; lower the target" (int $as.targetCPUUtilizationPercentage) $req (int $load) $lim $limit) }}
{{- end }}
{{- if and $as.activeCalls.enabled (ge (float64 $as.activeCalls.targetAverageValue) (float64 $a.maxCalls)) }}
{{- fail (printf "agent.autoscaling.activeCalls.targetAverageValue (%v) must be below agent.maxCalls (%v): workers would be full before the HPA adds pods" $as.activeCalls.targetAverageValue $a.maxCalls) }}
{{- end }}
{{- end }}

{{/*
DATABASE_URL of dispatch (and migrations): the bundled PostgreSQL's, else
none (the Secret's DATABASE_URL, via envFrom), else dispatch.databaseUrl.
*/}}
{{- define "gva.databaseEnv" -}}
{{- $fromSecret := or .Values.secrets.databaseUrl (not .Values.dispatch.databaseUrl) }}
{{- if and (not .Values.postgresql.enabled) (not $fromSecret) (gt (int .Values.dispatch.replicaCount) 1) (hasPrefix "sqlite:" .Values.dispatch.databaseUrl) }}
{{- fail "dispatch.replicaCount > 1 needs a shared database: SQLite is a file in each pod. Use one replica or PostgreSQL" }}
{{- end }}
{{- if and (not .Values.postgresql.enabled) (not $fromSecret) }}
- name: DATABASE_URL
  value: {{ .Values.dispatch.databaseUrl | quote }}
{{- end }}
{{- if .Values.postgresql.enabled }}
{{- $pg := printf "%s-postgresql" .Release.Name | trunc 63 | trimSuffix "-" }}
{{- if contains "postgresql" .Release.Name }}{{ $pg = .Release.Name }}{{ end }}
- name: DATABASE_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ default $pg .Values.postgresql.auth.existingSecret }}
      key: password
- name: DATABASE_URL
  value: {{ printf "postgres://%s:$(DATABASE_PASSWORD)@%s.%s.svc:5432/%s" .Values.postgresql.auth.username $pg .Release.Namespace .Values.postgresql.auth.database | quote }}
{{- end }}
{{- end }}

{{/*
Pod annotations after the checksums: Prometheus' scrape annotations
(metrics.scrapeAnnotations) for the component's metrics port, overridden by
its podAnnotations. Call with (dict "ctx" $ "port" PORT "annotations" MAP).
*/}}
{{- define "gva.podAnnotations" -}}
{{- $all := dict }}
{{- if .ctx.Values.metrics.scrapeAnnotations }}
{{- $_ := set $all "prometheus.io/scrape" "true" }}
{{- $_ := set $all "prometheus.io/port" (toString .port) }}
{{- $_ := set $all "prometheus.io/path" "/metrics" }}
{{- end }}
{{- with mergeOverwrite $all (.annotations | default dict) }}
{{- toYaml . }}
{{- end }}
{{- end }}

{{/*
Labels of a ServiceMonitor: the standard ones plus metrics.serviceMonitor.labels
(those your Prometheus selects ServiceMonitors by). Call like gva.labels.
*/}}
{{- define "gva.serviceMonitorLabels" -}}
{{- $labels := include "gva.labels" . }}
{{- $standard := fromYaml $labels }}
{{- $labels }}
{{- range $k, $v := .ctx.Values.metrics.serviceMonitor.labels }}
{{- if not (hasKey $standard $k) }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}
{{- end }}
