#include "safedb/policy/glob.h"

#include <fmt/format.h>

#include <deque>
#include <map>
#include <set>

namespace safedb::policy {
namespace {

// The set of positions a pattern's automaton may be in: position i means
// "elements [0, i) have matched"; position size() means the whole pattern.
using States = std::vector<bool>;

}  // namespace

Result<Glob> Glob::parse(std::string_view pattern) {
  if (pattern.empty()) return Error::input("empty pattern");
  Glob glob;
  glob.text_ = std::string(pattern);
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    Element e;
    const char c = pattern[i];
    if (c == '*') {
      // "**" means the same as "*".
      if (glob.elements_.empty() || !glob.elements_.back().any_run) {
        e.any_run = true;
        glob.elements_.push_back(e);
      }
      continue;
    }
    if (c == '?') {
      e.chars.set();
    } else if (c == '[') {
      std::size_t j = i + 1;
      const bool negated = j < pattern.size() && pattern[j] == '!';
      if (negated) ++j;
      const std::size_t first = j;
      // A ']' right after '[' or '[!' is a member, as in the shell.
      while (j < pattern.size() && (pattern[j] != ']' || j == first))
        ++j;
      if (j >= pattern.size())
        return Error::input(fmt::format("'[' at position {} is never closed with ']'", i + 1));
      std::string_view set = pattern.substr(first, j - first);
      for (std::size_t k = 0; k < set.size(); ++k) {
        const auto lo = static_cast<unsigned char>(set[k]);
        if (k + 2 < set.size() && set[k + 1] == '-') {
          const auto hi = static_cast<unsigned char>(set[k + 2]);
          if (hi < lo)
            return Error::input(fmt::format("range '{}-{}' runs backwards", set[k], set[k + 2]));
          for (unsigned b = lo; b <= hi; ++b)
            e.chars.set(b);
          k += 2;
        } else {
          e.chars.set(lo);
        }
      }
      if (negated) e.chars.flip();
      if (e.chars.none()) return Error::input("a character set matches no character");
      i = j;
    } else {
      e.chars.set(static_cast<unsigned char>(c));
    }
    glob.elements_.push_back(e);
  }
  return glob;
}

bool Glob::has_wildcards() const {
  for (const Element& e : elements_) {
    if (e.any_run || e.chars.count() != 1) return true;
  }
  return false;
}

namespace {

struct Automaton {
  // Adds the positions reachable without consuming a character: a '*' may
  // match nothing.
  template <typename Elements>
  static void close(const Elements& elements, States& states) {
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if (states[i] && elements[i].any_run) states[i + 1] = true;
    }
  }

  template <typename Elements>
  static States start(const Elements& elements) {
    States s(elements.size() + 1, false);
    s[0] = true;
    close(elements, s);
    return s;
  }

  template <typename Elements>
  static States step(const Elements& elements, const States& from, unsigned char c) {
    States to(elements.size() + 1, false);
    for (std::size_t i = 0; i < elements.size(); ++i) {
      if (!from[i]) continue;
      if (elements[i].any_run)
        to[i] = true;
      else if (elements[i].chars.test(c))
        to[i + 1] = true;
    }
    close(elements, to);
    return to;
  }

  static bool empty(const States& s) {
    for (bool b : s) {
      if (b) return false;
    }
    return true;
  }
};

}  // namespace

bool Glob::matches(std::string_view text) const {
  States s = Automaton::start(elements_);
  for (char c : text) {
    s = Automaton::step(elements_, s, static_cast<unsigned char>(c));
    if (Automaton::empty(s)) return false;
  }
  return s.back();
}

bool Glob::can_match_all(const std::vector<const Glob*>& globs) {
  if (globs.empty()) return true;
  // Bytes every element of every pattern treats alike need one trial between them.
  std::map<std::vector<bool>, unsigned char> classes;
  for (unsigned c = 0; c < 256; ++c) {
    std::vector<bool> signature;
    for (const Glob* g : globs) {
      for (const Element& e : g->elements_)
        signature.push_back(e.any_run || e.chars.test(c));
    }
    classes.emplace(std::move(signature), static_cast<unsigned char>(c));
  }
  // Breadth-first search over the product of the patterns' automata.
  using Product = std::vector<States>;
  Product first;
  for (const Glob* g : globs)
    first.push_back(Automaton::start(g->elements_));
  std::set<Product> seen{first};
  std::deque<Product> queue{first};
  while (!queue.empty()) {
    Product current = std::move(queue.front());
    queue.pop_front();
    bool all_accept = true;
    for (const States& s : current)
      all_accept = all_accept && s.back();
    if (all_accept) return true;
    for (const auto& [signature, c] : classes) {
      Product next;
      bool alive = true;
      for (std::size_t k = 0; k < globs.size() && alive; ++k) {
        next.push_back(Automaton::step(globs[k]->elements_, current[k], c));
        alive = !Automaton::empty(next.back());
      }
      if (alive && seen.insert(next).second) queue.push_back(std::move(next));
    }
  }
  return false;
}

}  // namespace safedb::policy
