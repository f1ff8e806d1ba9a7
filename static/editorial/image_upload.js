// The Markdown editor's 「画像をアップロード」 button, beside drag and drop: the chosen files go
// through markdownx's own upload (a synthetic drop on its textarea). After each upload the
// placeholder alt text is selected, so the writer types the description straight over it.
(function () {
  "use strict";
  // Admin media scripts load in <head>: wait for the form.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  function start() {
    var PLACEHOLDER = "画像の説明を入力";

    function selectPlaceholder(editor) {
      var at = editor.value.lastIndexOf("![" + PLACEHOLDER + "]", editor.selectionStart);
      if (at < 0) return;
      editor.focus();
      editor.setSelectionRange(at + 2, at + 2 + PLACEHOLDER.length);
      editor.dispatchEvent(new Event("input", { bubbles: true }));
  }

    document.querySelectorAll(".markdownx").forEach(function (box, index) {
      var editor = box.querySelector("textarea");
      if (!editor || !editor.hasAttribute("data-markdownx-upload-urls-path")) return;
      var input = document.createElement("input");
      input.type = "file";
      input.accept = "image/png,image/jpeg,image/gif,image/webp";
      input.multiple = true;
      input.hidden = true;
      input.id = "markdownx-upload-" + index;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "markdownx-upload-button";
      button.textContent = "画像をアップロード";
      var help = document.createElement("span");
      help.className = "help";
      help.id = input.id + "-help";
      help.textContent = "本文にドラッグ＆ドロップしても追加できます。挿入後、選択された「" + PLACEHOLDER + "」を画像の説明に書き換えてください。";
      button.setAttribute("aria-describedby", help.id);
      button.addEventListener("click", function () { input.click(); });
      input.addEventListener("change", function () {
        if (!input.files.length) return;
        var transfer = new DataTransfer();
        Array.prototype.forEach.call(input.files, function (file) { transfer.items.add(file); });
        editor.dispatchEvent(new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true }));
        input.value = "";
      });
      box.addEventListener("markdownx.fileUploadEnd", function () { selectPlaceholder(editor); });
      var bar = document.createElement("div");
      bar.className = "markdownx-upload";
      bar.appendChild(button);
      bar.appendChild(input);
      bar.appendChild(help);
      box.parentNode.insertBefore(bar, box);
    });
  }
})();
