{{/*
What the dispatch container, its migrations init container and the
migrations Job share: image, security context, environment and mounts.
*/}}
{{- define "gva.dispatchContainerBase" -}}
{{- $d := .Values.dispatch -}}
image: {{ include "gva.image" . }}
imagePullPolicy: {{ .Values.image.pullPolicy }}
securityContext:
  {{- toYaml .Values.containerSecurityContext | nindent 2 }}
env:
  {{- include "gva.appEnv" . | nindent 2 }}
  {{- with include "gva.databaseEnv" . }}{{ . | trim | nindent 2 }}{{ end }}
  - name: DISPATCH_HOST
    value: "0.0.0.0"
  - name: DISPATCH_PORT
    value: {{ $d.port | quote }}
  {{- range $k, $v := $d.env }}
  - name: {{ $k }}
    value: {{ $v | quote }}
  {{- end }}
volumeMounts:
  {{- include "gva.appVolumeMounts" . | nindent 2 }}
  - name: data
    mountPath: {{ $d.data.mountPath }}
{{- end }}
