{{/*
livekit-sip's configuration (YAML), passed in SIP_CONFIG_BODY. The API key
and secret come from the environment (LIVEKIT_API_KEY/LIVEKIT_API_SECRET) and
the Redis password through $(REDIS_PASSWORD), so no secret is in it.
*/}}
{{- define "gva.sipConfig" -}}
{{- $s := .Values.sip }}
{{- if gt (int $s.rtpPortStart) (int $s.rtpPortEnd) }}
{{- fail "sip.rtpPortStart must not be greater than sip.rtpPortEnd" }}
{{- end }}
{{- $cfg := dict "sip_port" $s.sipPort "rtp_port" (printf "%d-%d" (int $s.rtpPortStart) (int $s.rtpPortEnd)) "health_port" $s.healthPort "logging" (dict "level" $s.logLevel "json" true) }}
{{- if $s.externalIp }}
{{- $_ := set $cfg "nat_1_to_1_ip" $s.externalIp }}
{{- else }}
{{- $_ := set $cfg "use_external_ip" true }}
{{- end }}
{{- if $s.prometheusPort }}
{{- $_ := set $cfg "prometheus_port" $s.prometheusPort }}
{{- end }}
{{- $user := deepCopy (default dict $s.config) }}
{{- $redis := merge (dict "address" (include "gva.redisAddress" .)) (default dict $user.redis) }}
{{- $_ := unset $user "redis" }}
{{- $_ := unset $redis "password" }}
{{- if hasKey $user "nat_1_to_1_ip" }}
{{- $_ := unset $cfg "use_external_ip" }}
{{- end }}
{{- toYaml (mergeOverwrite $cfg $user) }}
redis:
  {{- toYaml $redis | nindent 2 }}
  {{- if include "gva.redisPasswordRef" . }}
  password: "$(REDIS_PASSWORD)"
  {{- end }}
{{- end }}

{{/* secretKeyRef of the Redis password, empty when Redis has no password. */}}
{{- define "gva.redisPasswordRef" -}}
{{- if .Values.redis.enabled }}
{{- if .Values.redis.auth.enabled }}
{{- $full := ternary .Release.Name (printf "%s-redis" .Release.Name) (contains "redis" .Release.Name) }}
name: {{ default ($full | trunc 63 | trimSuffix "-") .Values.redis.auth.existingSecret }}
key: {{ default "redis-password" .Values.redis.auth.existingSecretPasswordKey }}
{{- end }}
{{- else if .Values.externalRedis.auth }}
name: {{ include "gva.secretName" . }}
key: REDIS_PASSWORD
{{- end }}
{{- end }}
