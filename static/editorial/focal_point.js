// Cover images and author photos (blog/picture_forms.py): a click (or tap, or arrow keys) on the
// preview sets the focal point — two hidden 0–1 numbers — and the small frames show each crop as
// blog/pictures.py will cut it. Choosing a new file previews it at once, before it is uploaded.
(function () {
  "use strict";
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  // The CSS object-position (0–1) showing the box blog.pictures.crop_box cuts.
  function position(size, ratio, focal) {
    var cropW, cropH;
    if (size.w * ratio.h > size.h * ratio.w) {
      cropW = Math.round(size.h * ratio.w / ratio.h); cropH = size.h;
    } else {
      cropW = size.w; cropH = Math.round(size.w * ratio.h / ratio.w);
    }
    var left = Math.min(Math.max(Math.round(focal.x * size.w - cropW / 2), 0), size.w - cropW);
    var top = Math.min(Math.max(Math.round(focal.y * size.h - cropH / 2), 0), size.h - cropH);
    var spareX = size.w - cropW, spareY = size.h - cropH;
    return { x: spareX ? left / spareX : 0.5, y: spareY ? top / spareY : 0.5 };
  }

  function setUp(picker) {
    var prefix = picker.getAttribute("data-focal-picker").replace(/_upload$/, "");
    var inputX = document.getElementById("id_" + prefix + "_focal_x");
    var inputY = document.getElementById("id_" + prefix + "_focal_y");
    var fileInput = document.querySelector('input[type="file"][name="' + prefix + '_upload"]');
    var stage = picker.querySelector(".focal-picker__stage");
    var image = picker.querySelector(".focal-picker__image");
    var marker = picker.querySelector(".focal-picker__marker");
    var status = document.createElement("output");
    status.className = "help";
    status.setAttribute("aria-live", "polite");
    stage.insertAdjacentElement("afterend", status);
    stage.tabIndex = 0;
    var size = { w: +picker.getAttribute("data-width"), h: +picker.getAttribute("data-height") };
    var crops = Array.prototype.map.call(picker.querySelectorAll(".focal-crop__frame"), function (frame) {
      var parts = frame.style.aspectRatio.split("/");
      return { img: frame.querySelector("img"), ratio: { w: +parts[0], h: +parts[1] } };
    });

    function focal() {
      var x = parseFloat(inputX.value), y = parseFloat(inputY.value);
      return { x: isNaN(x) ? 0.5 : x, y: isNaN(y) ? 0.5 : y };
    }

    function show() {
      var f = focal();
      marker.style.left = (f.x * 100) + "%";
      marker.style.top = (f.y * 100) + "%";
      var text = "焦点：横 " + Math.round(f.x * 100) + "%・縦 " + Math.round(f.y * 100) + "%";
      status.textContent = text;
      stage.setAttribute("aria-label", text + "（矢印キーで移動）");
      crops.forEach(function (crop) {
        crop.img.src = image.src;
        if (!size.w || !size.h) return;
        var p = position(size, crop.ratio, f);
        crop.img.style.objectPosition = (p.x * 100) + "% " + (p.y * 100) + "%";
      });
    }

    function set(x, y) {
      inputX.value = Math.min(Math.max(x, 0), 1).toFixed(4);
      inputY.value = Math.min(Math.max(y, 0), 1).toFixed(4);
      show();
    }

    stage.addEventListener("click", function (event) {
      var box = image.getBoundingClientRect();
      if (!box.width || !box.height) return;
      set((event.clientX - box.left) / box.width, (event.clientY - box.top) / box.height);
    });
    stage.addEventListener("keydown", function (event) {
      var step = event.shiftKey ? 0.1 : 0.02, f = focal();
      var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
      var move = moves[event.key];
      if (!move) return;
      event.preventDefault();
      set(f.x + move[0], f.y + move[1]);
    });

    if (fileInput) {
      fileInput.addEventListener("change", function () {
        var file = fileInput.files && fileInput.files[0];
        if (!file || !/^image\/(jpeg|png|webp|gif)$/.test(file.type)) return;
        var reader = new FileReader();
        reader.addEventListener("load", function () {
          var probe = new Image();
          probe.addEventListener("load", function () {
            size = { w: probe.naturalWidth, h: probe.naturalHeight };
            image.src = reader.result;
            image.width = size.w;
            image.height = size.h;
            picker.hidden = false;
            set(0.5, 0.5);
          });
          probe.src = reader.result;
        });
        reader.readAsDataURL(file);
      });
    }
    show();
  }

  function start() {
    document.querySelectorAll("[data-focal-picker]").forEach(setUp);
  }
})();
