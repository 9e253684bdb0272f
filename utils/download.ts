/**
 * Lets the browser follow a download link (a presigned S3 URL): a temporary anchor with the
 * `download` attribute, clicked and removed. Browser-only.
 */
export function followDownload(url: string, filename: string) {
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
}
