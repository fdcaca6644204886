/**
 * A file upload with progress: the raw body PUT the drafts API takes, through XMLHttpRequest
 * (fetch cannot report upload progress), with the CSRF header like every other change.
 */
import { CSRF_HEADER, csrfToken, toApiError } from "./client";
import type { Draft } from "./types";

export function uploadDraftFile(
  projectId: string,
  draftId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<Draft> {
  const url = `/api/projects/${encodeURIComponent(projectId)}/drafts/${encodeURIComponent(draftId)}/files/${encodeURIComponent(file.name)}`;
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    request.setRequestHeader("Content-Type", "application/octet-stream");
    request.setRequestHeader(CSRF_HEADER, csrfToken());
    request.responseType = "json";
    request.upload.onprogress = (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    };
    request.onload = () => {
      if (request.status >= 200 && request.status < 300) resolve(request.response as Draft);
      else reject(toApiError(request.status, request.response));
    };
    request.onerror = () => reject(new Error(`the upload of ${file.name} was interrupted`));
    request.send(file);
  });
}
