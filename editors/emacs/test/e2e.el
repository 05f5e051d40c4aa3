;;; e2e.el --- Eglot end-to-end test of the layerlens server  -*- lexical-binding: t -*-
;;
;; Run by run.sh in batch mode: emacs -Q --batch -l e2e.el, with LAYERLENS_BIN and LL_WORKDIR
;; set. It configures Eglot exactly as editors/README.md tells users to, opens a Dockerfile,
;; waits for the diagnostics (Flymake), hovers, applies a quick fix, waits for the refreshed
;; diagnostics and shuts the server down. Exits 0 on success, 1 on failure.
;; Written for Eglot 1.9 (Debian bookworm's elpa-eglot) on Emacs 28.

;;; Code:

(add-to-list 'package-directory-list "/usr/share/emacs/site-lisp/elpa")
(package-initialize)
(require 'eglot)
(require 'cl-lib)

;; Emacs 28 has no dockerfile mode built in; users get one from MELPA or Emacs 29+.
(unless (fboundp 'dockerfile-mode)
  (define-derived-mode dockerfile-mode prog-mode "Dockerfile"))

(defvar ll-bin (getenv "LAYERLENS_BIN"))
(defvar ll-work (getenv "LL_WORKDIR"))

;; The README's configuration, with the test binary instead of `layerlens' on PATH.
(with-eval-after-load 'eglot
  (add-to-list 'eglot-server-programs
               `((dockerfile-mode dockerfile-ts-mode) . (,ll-bin "serve" "--stdio"))))
(setq-default eglot-workspace-configuration
              `(:layerlens (:offline t :cacheDir ,(expand-file-name "cache" ll-work)
                            :rules (:NoHealthcheck "off"))))
(setq eglot-confirm-server-initiated-edits nil)

(defun ll-log (fmt &rest args)
  (princ (concat "[eglot] " (apply #'format fmt args) "\n")))

(defun ll-wait (what seconds pred)
  "Wait up to SECONDS for PRED to return non-nil, processing server output; fail with WHAT."
  (let ((deadline (+ (float-time) seconds)) v)
    (while (and (not (setq v (funcall pred))) (< (float-time) deadline))
      (accept-process-output nil 0.05))
    (or v (error "Timed out after %ss waiting for %s" seconds what))))

(defun ll-codes ()
  "The codes of the buffer's Flymake diagnostics, as \"Code@line\" strings (0-based lines)."
  (sort (cl-loop for d in (flymake-diagnostics)
                 for text = (flymake-diagnostic-text d)
                 collect (format "%s@%d"
                                 (if (string-match "\\[\\([A-Za-z]+\\)\\]" text) (match-string 1 text) text)
                                 (1- (line-number-at-pos (flymake-diagnostic-beg d)))))
        #'string<))

(defun ll-run ()
  (make-directory (expand-file-name ".git" ll-work) t)
  (let ((file (expand-file-name "Dockerfile" ll-work)))
    (with-temp-file file (insert "FROM alpine:3.19\nMAINTAINER me\nrun echo hi\nFOO bar\n"))
    (find-file file))
  (dockerfile-mode)
  (call-interactively #'eglot)
  (ll-wait "diagnostics with UnknownInstruction" 15
           (lambda () (member "UnknownInstruction@3" (ll-codes))))
  (let ((codes (ll-codes)))
    (ll-log "diagnostics: %s" (string-join codes ", "))
    (unless (member "MaintainerDeprecated@1" codes) (error "No MaintainerDeprecated: %S" codes))
    (when (cl-some (lambda (c) (string-prefix-p "NoHealthcheck" c)) codes)
      (error "NoHealthcheck is off in eglot-workspace-configuration but reported")))
  ;; Hover on `run'.
  (goto-char (point-min)) (forward-line 2) (forward-char 1)
  (let* ((server (eglot--current-server-or-lose))
         (hover (jsonrpc-request server :textDocument/hover (eglot--TextDocumentPositionParams)))
         (contents (plist-get hover :contents))
         (text (if (stringp contents) contents (plist-get contents :value))))
    (unless (and text (string-match-p "RUN" text)) (error "Hover: %S" hover))
    (ll-log "hover: %s" (car (split-string text "\n"))))
  ;; The quick fix on the MAINTAINER line, as M-x eglot-code-actions would offer it.
  (goto-char (point-min)) (forward-line 1)
  (let* ((actions (eglot-code-actions (line-beginning-position) (line-end-position)))
         (fix (cl-find-if (lambda (a) (and (plist-get a :edit)
                                           (not (string-prefix-p "Ignore" (plist-get a :title)))))
                          actions)))
    (unless fix (error "No quick fix among %S" (mapcar (lambda (a) (plist-get a :title)) actions)))
    (ll-log "code action: %s" (plist-get fix :title))
    (eglot--apply-workspace-edit (plist-get fix :edit)))
  (goto-char (point-min)) (forward-line 1)
  (unless (looking-at "LABEL ") (error "Line 2 after the fix: %s" (thing-at-point 'line)))
  ;; Batch Emacs runs no idle timers: send the didChange that the timer would send.
  (eglot--signal-textDocument/didChange)
  (ll-wait "diagnostics without MaintainerDeprecated" 15
           (lambda () (let ((c (ll-codes)))
                        (and (member "UnknownInstruction@3" c)
                             (not (member "MaintainerDeprecated@1" c))))))
  (ll-log "diagnostics refreshed after didChange")
  (let ((server (eglot--current-server-or-lose)))
    (eglot-shutdown server)
    (ll-wait "the server to exit" 10 (lambda () (not (process-live-p (jsonrpc--process server))))))
  (ll-log "server shut down"))

(condition-case err
    (progn (ll-run) (princ "PASS\n") (kill-emacs 0))
  (error (princ (format "FAIL: %s\n" (error-message-string err))) (kill-emacs 1)))

;;; e2e.el ends here
