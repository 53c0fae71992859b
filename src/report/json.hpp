// A small JSON value with a writer and a reader: enough for the sweep's cell and summary files,
// which this program writes and reads back itself. Objects keep their members in insertion order
// so that files read the way they were built.
#pragma once

#include <charconv>
#include <cmath>
#include <concepts>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "dr/error.hpp"

namespace driver::json {

struct Value;
using Array = std::vector<Value>;
using Object = std::vector<std::pair<std::string, Value>>;

struct Value {
  std::variant<std::nullptr_t, bool, double, std::string, Array, Object> data;

  Value() : data(nullptr) {}
  Value(bool b) : data(b) {}
  template <class T>
  requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool>) Value(T n) : data(widen(n)) {}
  Value(std::string s) : data(std::move(s)) {}
  Value(const char* s) : data(std::string(s)) {}
  Value(Array a) : data(std::move(a)) {}
  Value(Object o) : data(std::move(o)) {}

  bool operator==(const Value&) const = default;

  /// The member `key` of an object; throws dr::Error naming the key if it is missing.
  const Value& operator[](std::string_view key) const {
    for (const auto& [k, v] : object())
      if (k == key) return v;
    throw dr::Error("missing \"" + std::string(key) + "\"");
  }
  bool contains(std::string_view key) const {
    if (!std::holds_alternative<Object>(data)) return false;
    for (const auto& member : std::get<Object>(data))
      if (member.first == key) return true;
    return false;
  }

  double number() const { return as<double>("a number"); }
  const std::string& string() const { return as<std::string>("a string"); }
  const Array& array() const { return as<Array>("an array"); }
  const Object& object() const { return as<Object>("an object"); }

 private:
  // A float is stored as the double its shortest text denotes: 0.05f becomes 0.05, not
  // 0.0500000007, so settings read in files as they were typed.
  template <class T>
  static double widen(T n) {
    if constexpr (std::is_same_v<T, float>) {
      const std::string text = dr::shortest_text(n);
      double d = 0;
      std::from_chars(text.data(), text.data() + text.size(), d);
      return d;
    } else {
      return static_cast<double>(n);
    }
  }

  template <class T>
  const T& as(const char* what) const {
    if (const T* p = std::get_if<T>(&data)) return *p;
    throw dr::Error(std::string("expected ") + what);
  }
};

/// The shortest text that reads back as the same number of its type ("0.1", not
/// "0.10000000000000001"; "0.05" for 0.05f). JSON has no infinities or NaN: they become null.
template <std::floating_point T>
std::string format_number(T v) {
  return std::isfinite(v) ? dr::shortest_text(v) : "null";
}

inline std::string quote(std::string_view s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      const char* hex = "0123456789abcdef";
      out += "\\u00";
      out += hex[(c >> 4) & 0xf];
      out += hex[c & 0xf];
    } else {
      out += c;
    }
  }
  return out + '"';
}

namespace detail {
inline bool is_container(const Value& v) {
  return std::holds_alternative<Array>(v.data) || std::holds_alternative<Object>(v.data);
}

inline void write(const Value& v, int indent, std::string& out);

struct Writer {
  int indent;
  std::string& out;
  void operator()(std::nullptr_t) { out += "null"; }
  void operator()(bool b) { out += b ? "true" : "false"; }
  void operator()(double d) { out += format_number(d); }
  void operator()(const std::string& s) { out += quote(s); }
  void operator()(const Array& a) {
    items(a, '[', ']', [&](const Value& v) { write(v, indent + 2, out); });
  }
  void operator()(const Object& o) {
    items(o, '{', '}', [&](const auto& member) {
      out += quote(member.first) + ": ";
      write(member.second, indent + 2, out);
    });
  }
  // A container of scalars fits on one line; one holding containers gets a line per item.
  template <class Items, class Each>
  void items(const Items& list, char open, char close, Each each) {
    bool nested = false;
    for (const auto& item : list) {
      if constexpr (std::is_same_v<Items, Object>)
        nested = nested || is_container(item.second);
      else
        nested = nested || is_container(item);
    }
    const std::string inner = nested ? "\n" + std::string(indent + 2, ' ') : "";
    out += open;
    for (std::size_t i = 0; i < list.size(); ++i) {
      out += i ? (nested ? "," + inner : ", ") : inner;
      each(list[i]);
    }
    if (nested) out += "\n" + std::string(indent, ' ');
    out += close;
  }
};

inline void write(const Value& v, int indent, std::string& out) {
  std::visit(Writer{indent, out}, v.data);
}

class Reader {
 public:
  Reader(std::string_view text, const std::string& source) : text_(text), source_(source) {}

  Value document() {
    Value v = value();
    skip_space();
    if (pos_ != text_.size()) fail("unexpected text after the JSON value");
    return v;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw dr::Error(source_ + ": offset " + std::to_string(pos_) + ": " + what);
  }
  void skip_space() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\n' ||
                                   text_[pos_] == '\r' || text_[pos_] == '\t'))
      ++pos_;
  }
  bool take(char c) {
    skip_space();
    if (pos_ < text_.size() && text_[pos_] == c) return ++pos_, true;
    return false;
  }
  void expect(char c) {
    if (!take(c)) fail(std::string("expected '") + c + "'");
  }
  bool take_word(std::string_view w) {
    if (text_.substr(pos_, w.size()) != w) return false;
    pos_ += w.size();
    return true;
  }

  Value value() {
    skip_space();
    if (pos_ == text_.size()) fail("unexpected end of file");
    const char c = text_[pos_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (take_word("true")) return true;
    if (take_word("false")) return false;
    if (take_word("null")) return {};
    double d = 0;
    const auto [end, ec] = std::from_chars(text_.data() + pos_, text_.data() + text_.size(), d);
    if (ec != std::errc()) fail("expected a JSON value");
    pos_ = static_cast<std::size_t>(end - text_.data());
    return d;
  }

  Value object() {
    expect('{');
    Object o;
    if (take('}')) return o;
    do {
      skip_space();
      std::string key = string();
      expect(':');
      o.emplace_back(std::move(key), value());
    } while (take(','));
    expect('}');
    return o;
  }

  Value array() {
    expect('[');
    Array a;
    if (take(']')) return a;
    do a.push_back(value());
    while (take(','));
    expect(']');
    return a;
  }

  std::string string() {
    expect('"');
    std::string s;
    while (pos_ < text_.size() && text_[pos_] != '"') {
      char c = text_[pos_++];
      if (c == '\\') {
        if (pos_ == text_.size()) break;
        c = text_[pos_++];
        if (c == 'n')
          c = '\n';
        else if (c == 't')
          c = '\t';
        else if (c == 'r')
          c = '\r';
        else if (c == 'u') {
          unsigned code = 0;
          const auto [end, ec] = std::from_chars(
              text_.data() + pos_, text_.data() + std::min(pos_ + 4, text_.size()), code, 16);
          if (ec != std::errc() || end != text_.data() + pos_ + 4 || code > 0x7f)
            fail("only \\u escapes of ASCII characters are supported");
          pos_ += 4;
          c = static_cast<char>(code);
        }
      }
      s += c;
    }
    if (!take('"')) fail("unterminated string");
    return s;
  }

  std::string_view text_;
  const std::string& source_;
  std::size_t pos_ = 0;
};
}  // namespace detail

/// Pretty-printed JSON text, ending in a newline.
inline std::string to_text(const Value& v) {
  std::string out;
  detail::write(v, 0, out);
  return out + "\n";
}

/// Parses `text`; errors name `source` and the byte offset.
inline Value parse(std::string_view text, const std::string& source) {
  return detail::Reader(text, source).document();
}

}  // namespace driver::json
