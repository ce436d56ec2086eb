// jianfu burden monitoring: upload a chat export with a progress bar. Without
// this file the form posts normally; with it the upload shows its progress,
// then the browser goes where the server sends it (the group's burden) or
// shows the form again with the server's error.
(function () {
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.FormData) return;
  var bar = document.getElementById("upload-progress");
  var status = document.getElementById("upload-status");
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var button = form.querySelector("button");
    button.disabled = true;
    bar.hidden = false;
    bar.value = 0;
    status.textContent = status.getAttribute("data-uploading");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.addEventListener("progress", function (ev) {
      if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100);
    });
    xhr.upload.addEventListener("load", function () {
      bar.value = 100;
      status.textContent = status.getAttribute("data-analysing");
    });
    xhr.addEventListener("load", function () {
      if (xhr.status === 200 && xhr.responseURL && xhr.responseURL.indexOf("/burden/upload") < 0) {
        window.location.assign(xhr.responseURL);
        return;
      }
      // an error: show the page the server answered with
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var main = doc.querySelector("main");
      if (main) document.querySelector("main").replaceWith(main);
      else window.location.reload();
    });
    xhr.addEventListener("error", function () {
      button.disabled = false;
      status.textContent = "";
      form.submit();
    });
    xhr.send(new FormData(form));
  });
})();
