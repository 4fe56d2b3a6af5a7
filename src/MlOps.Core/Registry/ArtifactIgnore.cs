using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.Registry
{
    /// <summary>A path left out of a published version, and the rule that left it out.</summary>
    public sealed class ExcludedPath
    {
        public ExcludedPath(string path, string rule)
        {
            Path = path;
            Rule = rule;
        }

        /// <summary>'/'-separated, relative to the artifact folder; a folder ends with '/' (nothing below it was read).</summary>
        public string Path { get; }

        /// <summary>The pattern and where it comes from: <c>default: .git/</c> or <c>.mlopsignore:3: *.log</c>.</summary>
        public string Rule { get; }

        public override string ToString() => Path + " (" + Rule + ")";
    }

    /// <summary>An artifact source that left paths out of what it lists (by <see cref="ArtifactIgnore"/>).</summary>
    public interface IExcludingSource
    {
        IReadOnlyList<ExcludedPath> Excluded { get; }
    }

    /// <summary>
    /// What a publish leaves out of an artifact folder: a short built-in list (<see cref="Defaults"/>), then the rules of
    /// the folder's own <c>.mlopsignore</c>, in gitignore syntax: blank lines and <c>#</c> comments are skipped, the last
    /// rule that matches a path decides, <c>!</c> takes a path back in, a trailing <c>/</c> matches folders only, a
    /// pattern with a <c>/</c> before its end is anchored at the folder (a leading <c>/</c> only anchors), otherwise it
    /// matches at any depth; <c>*</c> and <c>?</c> match within one name, <c>**</c> across folders, <c>[...]</c> one
    /// character of a class; <c>\</c> escapes. As in git, a path below an excluded folder cannot be taken back in (the
    /// folder is not read). Only the <c>.mlopsignore</c> at the top of the folder is read. Names compare without case on
    /// Windows, with case elsewhere.
    /// </summary>
    public sealed class ArtifactIgnore
    {
        public const string FileName = ".mlopsignore";

        /// <summary>Left out unless the folder's <c>.mlopsignore</c> takes them back with <c>!</c>.</summary>
        public static readonly IReadOnlyList<string> Defaults = new[]
        {
            ".git/", ".hg/", ".svn/", "__pycache__/", ".ipynb_checkpoints/", "*.pyc", ".env", ".DS_Store", "Thumbs.db", FileName,
        };

        /// <summary>No rule: every path is kept (a stored version's files are what they are).</summary>
        public static readonly ArtifactIgnore None = new ArtifactIgnore(new List<Rule>());

        private readonly List<Rule> _rules;

        private ArtifactIgnore(List<Rule> rules)
        {
            _rules = rules;
        }

        /// <summary>The built-in rules and those of <c>.mlopsignore</c> in <paramref name="folder"/>, when it has one.</summary>
        public static ArtifactIgnore Load(string folder)
        {
            var path = Path.Combine(folder, FileName);
            var lines = File.Exists(path) ? File.ReadAllLines(path) : Array.Empty<string>();
            return Parse(lines);
        }

        /// <summary>The built-in rules followed by <paramref name="lines"/> (the text of a <c>.mlopsignore</c>).</summary>
        public static ArtifactIgnore Parse(IEnumerable<string> lines)
        {
            var rules = Defaults.Select(d => Rule.Parse(d, "default: " + d)).Where(r => r != null).Select(r => r!).ToList();
            var number = 0;
            foreach (var line in lines)
            {
                number++;
                var rule = Rule.Parse(line, FileName + ":" + number + ": " + line.Trim());
                if (rule != null)
                {
                    rules.Add(rule);
                }
            }

            return new ArtifactIgnore(rules);
        }

        /// <summary>
        /// The rule that leaves out <paramref name="path"/> ('/'-separated, relative to the folder), or null when it is kept.
        /// </summary>
        public string? Match(string path, bool isFolder)
        {
            for (var i = _rules.Count - 1; i >= 0; i--)
            {
                var rule = _rules[i];
                if (rule.Matches(path, isFolder))
                {
                    return rule.Negated ? null : rule.Source;
                }
            }

            return null;
        }

        private sealed class Rule
        {
            private readonly Regex _regex;
            private readonly bool _foldersOnly;

            private Rule(Regex regex, bool negated, bool foldersOnly, string source)
            {
                _regex = regex;
                Negated = negated;
                _foldersOnly = foldersOnly;
                Source = source;
            }

            public bool Negated { get; }

            public string Source { get; }

            public bool Matches(string path, bool isFolder) => (isFolder || !_foldersOnly) && _regex.IsMatch(path);

            public static Rule? Parse(string line, string source)
            {
                var text = line.TrimEnd('\r', '\n');
                text = TrimTrailingSpaces(text);
                if (text.Length == 0 || text[0] == '#')
                {
                    return null;
                }

                var negated = false;
                if (text[0] == '!')
                {
                    negated = true;
                    text = text.Substring(1);
                }

                var foldersOnly = false;
                if (text.EndsWith("/", StringComparison.Ordinal))
                {
                    foldersOnly = true;
                    text = text.TrimEnd('/');
                }

                if (text.Length == 0)
                {
                    return null;
                }

                // A slash at the start or in the middle anchors the pattern at the folder; without one it matches at any depth.
                var anchored = text.IndexOf('/') >= 0;
                text = text.TrimStart('/');
                if (text.Length == 0)
                {
                    return null;
                }

                var pattern = new StringBuilder("^");
                if (!anchored)
                {
                    pattern.Append("(?:.*/)?");
                }

                AppendPattern(pattern, text);
                pattern.Append('$');
                var options = RegexOptions.CultureInvariant | (RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? RegexOptions.IgnoreCase : RegexOptions.None);
                return new Rule(new Regex(pattern.ToString(), options), negated, foldersOnly, source);
            }

            /// <summary>Trailing spaces are dropped unless escaped with a backslash.</summary>
            private static string TrimTrailingSpaces(string text)
            {
                var end = text.Length;
                while (end > 0 && text[end - 1] == ' ' && !(end > 1 && text[end - 2] == '\\'))
                {
                    end--;
                }

                return text.Substring(0, end);
            }

            private static void AppendPattern(StringBuilder pattern, string text)
            {
                var i = 0;
                while (i < text.Length)
                {
                    var c = text[i];
                    if (c == '*')
                    {
                        var start = i;
                        while (i < text.Length && text[i] == '*')
                        {
                            i++;
                        }

                        var atStart = start == 0 || text[start - 1] == '/';
                        var atEnd = i == text.Length || text[i] == '/';
                        if (i - start >= 2 && atStart && atEnd)
                        {
                            if (i == text.Length)
                            {
                                // "x/**": everything inside; a lone "**": everything.
                                pattern.Append(".*");
                            }
                            else
                            {
                                // "**/x" and "a/**/x": zero or more folders.
                                pattern.Append("(?:.*/)?");
                                i++;
                            }
                        }
                        else
                        {
                            pattern.Append("[^/]*");
                        }

                        continue;
                    }

                    if (c == '?')
                    {
                        pattern.Append("[^/]");
                    }
                    else if (c == '[' && TryClass(text, i, out var cls, out var next))
                    {
                        pattern.Append(cls);
                        i = next;
                        continue;
                    }
                    else if (c == '\\' && i + 1 < text.Length)
                    {
                        i++;
                        pattern.Append(Regex.Escape(text[i].ToString()));
                    }
                    else
                    {
                        pattern.Append(Regex.Escape(c.ToString()));
                    }

                    i++;
                }
            }

            private static readonly Dictionary<string, string> PosixClasses = new Dictionary<string, string>(StringComparer.Ordinal)
            {
                ["alnum"] = "a-zA-Z0-9", ["alpha"] = "a-zA-Z", ["digit"] = "0-9", ["lower"] = "a-z", ["upper"] = "A-Z",
                ["space"] = @"\s", ["xdigit"] = "0-9A-Fa-f", ["punct"] = @"!-/:-@\[-`{-~", ["blank"] = @" \t",
            };

            /// <summary>A character class <c>[...]</c> starting at <paramref name="start"/>: <c>!</c> or <c>^</c> negates, <c>]</c> first is literal.</summary>
            private static bool TryClass(string text, int start, out string regex, out int next)
            {
                var builder = new StringBuilder("[");
                var i = start + 1;
                if (i < text.Length && (text[i] == '!' || text[i] == '^'))
                {
                    builder.Append('^');
                    i++;
                }

                var first = true;
                while (i < text.Length && (text[i] != ']' || first))
                {
                    var c = text[i];
                    if (c == '[' && i + 1 < text.Length && text[i + 1] == ':')
                    {
                        var close = text.IndexOf(":]", i + 2, StringComparison.Ordinal);
                        if (close > 0 && PosixClasses.TryGetValue(text.Substring(i + 2, close - i - 2), out var posix))
                        {
                            builder.Append(posix);
                            i = close + 2;
                            first = false;
                            continue;
                        }
                    }

                    if (c == '\\' && i + 1 < text.Length)
                    {
                        i++;
                        c = text[i];
                    }

                    if (c == '/')
                    {
                        break;
                    }

                    builder.Append(c == '-' && !first && i + 1 < text.Length && text[i + 1] != ']' ? "-" : Regex.Escape(c.ToString()).Replace("]", @"\]").Replace("-", @"\-"));
                    first = false;
                    i++;
                }

                if (i >= text.Length || text[i] != ']')
                {
                    // No closing bracket: a literal '['.
                    regex = string.Empty;
                    next = start;
                    return false;
                }

                builder.Append(']');
                // A class never matches the folder separator.
                regex = "(?!/)" + builder;
                next = i + 1;
                return true;
            }
        }
    }
}
