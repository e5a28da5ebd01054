// Kyoso attendance sheet: a tap is never lost. Without this file the sheet works with plain
// form posts; with it:
// - each mark carries an id (client_id) the server de-duplicates, so a mark sent twice is
//   applied once;
// - marks go through a queue kept in localStorage per meeting: made offline, they show at once
//   as pending (未送信) and are sent in order when the connection returns (online event, retry
//   timer, or the 再試行 button); a failed send (network error, 5xx) shows a red banner;
// - the row the server answers with replaces the row, and focus returns to the same button;
// - the search box filters the rows as staff type (folded like consortium.text.search_key).
(function () {
  "use strict";

  var LEGAL_FORMS = new RegExp(
    "\\((?:株|有|合|名|資|社|財|特非|医|学|福)\\)" +
      "|株式会社|有限会社|合同会社|合名会社|合資会社" +
      "|一般社団法人|公益社団法人|一般財団法人|公益財団法人|特定非営利活動法人",
    "g"
  );
  var RETRY_MS = [2000, 5000, 10000, 30000];

  function searchKey(text) {
    var value = (text || "").normalize("NFKC").toLowerCase();
    value = value.replace(/[\u30a1-\u30f6\u30fd\u30fe]/g, function (ch) {
      return String.fromCharCode(ch.charCodeAt(0) - 0x60);
    });
    return value.replace(/\s+/g, " ").trim();
  }

  // As events.querysets.sheet_search_terms: words, legal forms dropped.
  function searchTerms(query) {
    return searchKey(query)
      .split(" ")
      .map(function (term) {
        return term.replace(LEGAL_FORMS, "");
      })
      .filter(function (term) {
        return term;
      });
  }

  function newId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    // Plain http on a LAN has no randomUUID: a v4 UUID from getRandomValues.
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function plural(element, n) {
    var template = element.getAttribute(n === 1 ? "data-one" : "data-other") || "{n}";
    return template.replace("{n}", String(n));
  }

  function Sheet(root) {
    this.root = root;
    this.url = root.getAttribute("data-mark-url");
    // Per meeting and staffer: on a shared tablet, marks queued by one are sent as theirs only.
    this.key =
      "kyoso.sheet." + root.getAttribute("data-meeting") + "." + root.getAttribute("data-user") + ".queue";
    this.sync = document.getElementById("sheet-sync");
    this.queue = this.load();
    this.sending = false;
    this.failures = 0;
    this.timer = null;
  }

  Sheet.prototype.load = function () {
    try {
      var stored = JSON.parse(window.localStorage.getItem(this.key) || "[]");
      return Array.isArray(stored) ? stored : [];
    } catch (error) {
      return [];
    }
  };

  Sheet.prototype.save = function () {
    try {
      if (this.queue.length) {
        window.localStorage.setItem(this.key, JSON.stringify(this.queue));
      } else {
        window.localStorage.removeItem(this.key);
      }
    } catch (error) {
      // No storage (private mode, full): the queue lives as long as the page.
    }
  };

  Sheet.prototype.row = function (person) {
    return document.getElementById("p" + person);
  };

  // The row as the queued mark will leave it: pressed button, colour, 未送信.
  Sheet.prototype.showPending = function (entry) {
    var row = this.row(entry.person);
    if (!row) {
      return;
    }
    var status = entry.status === "clear" ? "" : entry.status;
    row.classList.remove("sheet-row--attended", "sheet-row--absent", "sheet-row--excused");
    if (status) {
      row.classList.add("sheet-row--" + status);
    }
    row.classList.add("sheet-row--pending");
    row.querySelectorAll("button[name=status]").forEach(function (button) {
      if (button.value === "clear") {
        button.disabled = !status;
      } else {
        button.setAttribute("aria-pressed", button.value === status ? "true" : "false");
      }
    });
    row.querySelector("input[name=seen]").value = status;
    var state = row.querySelector("[data-row-state]");
    if (state) {
      state.textContent = this.sync.getAttribute("data-row-label") || "";
    }
  };

  Sheet.prototype.tap = function (form, button) {
    this.sync.querySelector("[data-sync-refused]").hidden = true;
    var entry = {
      id: newId(),
      person: form.querySelector("input[name=person]").value,
      status: button.value,
      seen: form.querySelector("input[name=seen]").value,
    };
    this.queue.push(entry);
    this.save();
    this.showPending(entry);
    this.render();
    this.flush();
  };

  Sheet.prototype.csrf = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  Sheet.prototype.flush = function () {
    var self = this;
    if (self.sending || !self.queue.length) {
      self.render();
      return;
    }
    if (navigator.onLine === false) {
      self.render();
      self.schedule(); // the online event sends them; the timer in case it never comes
      return;
    }
    window.clearTimeout(self.timer);
    self.timer = null;
    self.sending = true;
    var entry = self.queue[0];
    var body = new FormData();
    body.append("csrfmiddlewaretoken", self.csrf());
    body.append("person", entry.person);
    body.append("status", entry.status);
    body.append("seen", entry.seen);
    body.append("client_id", entry.id);
    fetch(self.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "error", // a login page instead of the row: keep the mark, say so
      headers: { "HX-Request": "true" },
    })
      .then(function (response) {
        return response.text().then(function (text) {
          return { status: response.status, ok: response.ok, text: text };
        });
      })
      .then(
        function (answer) {
          self.sending = false;
          if (answer.ok) {
            self.done(entry, answer.text);
          } else if (answer.status >= 500 || answer.status === 403 || answer.status === 429) {
            self.failed();
          } else {
            self.refused(entry, answer.text);
          }
        },
        function () {
          self.sending = false;
          self.failed();
        }
      );
  };

  Sheet.prototype.stillQueued = function (person) {
    return this.queue.some(function (entry) {
      return entry.person === person;
    });
  };

  Sheet.prototype.done = function (entry, html) {
    this.queue.shift();
    this.save();
    this.failures = 0;
    var template = document.createElement("template");
    template.innerHTML = html;
    var totals = template.content.getElementById("sheet-totals");
    var current = document.getElementById("sheet-totals");
    if (totals && current) {
      totals.removeAttribute("hx-swap-oob");
      current.replaceWith(totals);
    }
    // A later mark of the same person is still queued: the row keeps showing that one.
    if (!this.stillQueued(entry.person)) {
      this.swapRow(template.content.getElementById("p" + entry.person));
    }
    this.flush();
  };

  Sheet.prototype.swapRow = function (fresh) {
    if (!fresh) {
      return;
    }
    var old = document.getElementById(fresh.id);
    if (!old) {
      return;
    }
    var focused = document.activeElement;
    var refocus = focused && old.contains(focused) && focused.name === "status" ? focused.value : null;
    fresh.hidden = old.hidden;
    old.replaceWith(fresh);
    if (refocus) {
      var button = fresh.querySelector('button[name=status][value="' + refocus + '"]');
      if (button && !button.disabled) {
        button.focus();
      } else {
        // 記録を消す is gone: the row's 出席 keeps the focus in the row.
        var first = fresh.querySelector("button[name=status]");
        if (first) {
          first.focus();
        }
      }
    }
  };

  // Network error or server error: the mark stays queued; red banner; retry later.
  Sheet.prototype.failed = function () {
    this.failures += 1;
    this.render();
    this.schedule();
  };

  Sheet.prototype.schedule = function () {
    var self = this;
    if (self.timer || !self.queue.length) {
      return;
    }
    var delay = RETRY_MS[Math.min(self.failures, RETRY_MS.length) - 1] || RETRY_MS[0];
    self.timer = window.setTimeout(function () {
      self.timer = null;
      self.flush();
    }, delay);
  };

  // The server refused the mark (a cancelled meeting, a person that is gone): it will never be
  // stored, so it leaves the queue and the reason is shown.
  Sheet.prototype.refused = function (entry, html) {
    this.queue.shift();
    this.save();
    var message = document.createElement("template");
    message.innerHTML = html;
    var refused = this.sync.querySelector("[data-sync-refused]");
    refused.textContent = (message.content.textContent || "").trim();
    refused.hidden = !refused.textContent;
    var row = this.row(entry.person);
    if (row && !this.stillQueued(entry.person)) {
      row.classList.remove("sheet-row--pending");
      var state = row.querySelector("[data-row-state]");
      if (state) {
        state.textContent = "";
      }
    }
    this.flush();
  };

  Sheet.prototype.render = function () {
    var pending = this.queue.length;
    var offline = navigator.onLine === false;
    var error = this.failures > 0 && pending > 0 && !offline;
    var refused = this.sync.querySelector("[data-sync-refused]");
    var count = this.sync.querySelector("[data-sync-pending]");
    count.textContent = pending ? plural(count, pending) : "";
    count.hidden = !pending;
    this.sync.querySelector("[data-sync-offline]").hidden = !(offline && pending);
    this.sync.querySelector("[data-sync-error]").hidden = !error;
    this.sync.hidden = !pending && refused.hidden;
    var queued = {};
    this.queue.forEach(function (entry) {
      queued[entry.person] = true;
    });
    document.querySelectorAll(".sheet-row--pending").forEach(function (row) {
      if (!queued[row.id.slice(1)]) {
        row.classList.remove("sheet-row--pending");
        var state = row.querySelector("[data-row-state]");
        if (state) {
          state.textContent = "";
        }
      }
    });
  };

  Sheet.prototype.filter = function (query) {
    var terms = searchTerms(query);
    var matches = 0;
    document.querySelectorAll(".sheet-row[data-search]").forEach(function (row) {
      var key = row.getAttribute("data-search");
      var show = terms.every(function (term) {
        return key.indexOf(term) !== -1;
      });
      row.hidden = !show;
      if (show) {
        matches += 1;
      }
    });
    document.querySelectorAll(".sheet-group").forEach(function (group) {
      // A part with no rows (no citizens registered yet) shows while nothing is searched.
      group.hidden = terms.length > 0 && !group.querySelector(".sheet-row:not([hidden])");
    });
    var parent = document.querySelector("[data-sheet-parent]");
    if (parent && terms.length && parent.querySelector(".sheet-row:not([hidden])")) {
      parent.open = true;
    }
    var status = document.getElementById("sheet-matches");
    if (status) {
      status.textContent = terms.length ? plural(status, matches) : "";
    }
  };

  Sheet.prototype.start = function () {
    var self = this;
    document.addEventListener("submit", function (event) {
      var form = event.target;
      if (!form.matches || !form.matches("form[data-mark-form]")) {
        return;
      }
      var button = event.submitter;
      if (!button || button.name !== "status") {
        return;
      }
      event.preventDefault();
      self.tap(form, button);
    });
    window.addEventListener("online", function () {
      self.failures = 0;
      self.flush();
    });
    window.addEventListener("offline", function () {
      self.render();
    });
    var retry = self.sync.querySelector("[data-sync-retry]");
    retry.addEventListener("click", function () {
      window.clearTimeout(self.timer);
      self.timer = null;
      self.flush();
    });
    var search = document.querySelector("[data-sheet-filter]");
    if (search) {
      search.addEventListener("input", function () {
        self.filter(search.value);
      });
    }
    // Marks queued before a reload (or on another visit of this sheet) show and go out again.
    self.queue.forEach(function (entry) {
      self.showPending(entry);
    });
    self.render();
    self.flush();
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-sheet]");
    if (root && window.fetch && document.getElementById("sheet-sync")) {
      new Sheet(root).start();
    }
  });
})();
