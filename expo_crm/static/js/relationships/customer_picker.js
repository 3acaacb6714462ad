// The customer picker: a search box before each customer-number input marked
// data-customer-picker. Typing part of a name, tax id, email or mobile lists matching
// customers (a listbox: up/down to move, Enter to choose, Escape to close); choosing one fills
// the number (and the kind select named by the attribute) and says whom was chosen.
// Without JavaScript the number input works as before.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !window.fetch) return;
  var text = script.dataset;
  var counter = 0;

  function enhance(numberInput) {
    var form = numberInput.form;
    var kindSelect = numberInput.dataset.customerPicker
      ? form.elements.namedItem(numberInput.dataset.customerPicker)
      : null;
    var n = ++counter;
    var box = document.createElement("div");
    box.className = "customer-picker";
    var label = document.createElement("label");
    label.htmlFor = "customer-picker-" + n;
    label.textContent = text.label;
    var search = document.createElement("input");
    search.type = "search";
    search.id = "customer-picker-" + n;
    search.autocomplete = "off";
    search.placeholder = text.placeholder;
    search.setAttribute("role", "combobox");
    search.setAttribute("aria-autocomplete", "list");
    search.setAttribute("aria-expanded", "false");
    search.setAttribute("aria-controls", "customer-picker-list-" + n);
    var list = document.createElement("ul");
    list.id = "customer-picker-list-" + n;
    list.className = "customer-picker-list";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", text.label);
    list.hidden = true;
    var chosen = document.createElement("div");
    chosen.className = "customer-picker-chosen hint";
    chosen.setAttribute("role", "status");
    chosen.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(search);
    box.appendChild(list);
    box.appendChild(chosen);
    var field = numberInput.closest(".field") || numberInput;
    field.parentNode.insertBefore(box, field);

    var results = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      list.hidden = true;
      search.setAttribute("aria-expanded", "false");
      search.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = list.querySelectorAll("[role=option]");
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach(function (option, i) {
        option.setAttribute("aria-selected", i === active ? "true" : "false");
      });
      search.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var customer = results[index];
      if (!customer) return;
      numberInput.value = customer.id;
      if (kindSelect) kindSelect.value = customer.kind;
      search.value = customer.name;
      chosen.textContent = text.chosen
        .replace("{name}", customer.name)
        .replace("{kind}", customer.kind_label)
        .replace("{id}", customer.id);
      close();
    }

    function show(found) {
      results = found;
      list.textContent = "";
      if (!found.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = text.none;
        list.appendChild(none);
      }
      found.forEach(function (customer, i) {
        var option = document.createElement("li");
        option.id = list.id + "-" + i;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.dataset.kind = customer.kind;
        option.dataset.id = customer.id;
        var name = document.createElement("strong");
        name.textContent = customer.name;
        option.appendChild(name);
        var hint = document.createElement("small");
        hint.textContent =
          " " + customer.kind_label + " #" + customer.id + (customer.hint ? " · " + customer.hint : "");
        option.appendChild(hint);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(option);
      });
      list.hidden = false;
      search.setAttribute("aria-expanded", "true");
      active = -1;
    }

    function ask() {
      var query = search.value.trim();
      if (!query) {
        close();
        return;
      }
      var mine = ++asked;
      fetch(text.url + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(function (data) {
          if (mine === asked) show(data.results || []);
        })
        .catch(function () {
          if (mine === asked) close();
        });
    }

    search.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 200);
    });
    search.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (list.hidden) {
          ask();
          return;
        }
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        if (!list.hidden) {
          event.preventDefault();
          if (active < 0 && results.length === 1) active = 0;
          choose(active);
        }
      } else if (event.key === "Escape") {
        close();
      }
    });
    search.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-customer-picker]").forEach(enhance);
})();
