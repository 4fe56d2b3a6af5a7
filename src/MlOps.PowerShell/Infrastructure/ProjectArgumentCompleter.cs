using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using MlOps.Completion;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// What MlOps's argument completers share: the project's settings found as the command would find them (-SettingsPath
    /// already typed on the command line, else $env:MLOPS_SETTINGS, else the nearest mlops.settings.json at or above the
    /// current location), wildcard matching of the word typed so far, quoting as typed, and no exception ever reaching the
    /// prompt: anything that goes wrong means no suggestions.
    /// </summary>
    public abstract class ProjectArgumentCompleter : IArgumentCompleter
    {
        private static readonly CompletionResult[] None = new CompletionResult[0];

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            try
            {
                var word = wordToComplete ?? string.Empty;
                var quote = word.Length > 0 && (word[0] == '\'' || word[0] == '"') ? word.Substring(0, 1) : string.Empty;
                word = word.Trim('\'', '"');
                var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
                var settings = LoadSettings(fakeBoundParameters);
                if (settings == null)
                {
                    return None;
                }

                var bound = fakeBoundParameters ?? new Hashtable();
                var command = ShortName(commandName);
                return Candidates(settings, command, bound, pattern.IsMatch)
                    .Where(c => pattern.IsMatch(c.Text))
                    .Select(c => new CompletionResult(quote + c.Text + quote, c.Text, CompletionResultType.ParameterValue, c.ToolTip))
                    .ToList();
            }
            catch (Exception)
            {
                // Completion is best effort: a half-typed command line must never produce an error at the prompt.
                return None;
            }
        }

        /// <summary>The suggestions for this parameter; <paramref name="match"/> tests a candidate's text against the word typed.</summary>
        protected abstract IEnumerable<CompletionCandidate> Candidates(ProjectSettings settings, string command, IDictionary bound,
            Func<string, bool> match);

        /// <summary>A parameter's value as typed on the command line (the first one of a list), or null.</summary>
        protected static string? BoundText(IDictionary bound, string parameter)
        {
            if (!bound.Contains(parameter))
            {
                return null;
            }

            var value = Unwrap(bound[parameter]);
            if (value is IEnumerable list && !(value is string))
            {
                value = Unwrap(list.Cast<object?>().FirstOrDefault());
            }

            var text = value?.ToString();
            return string.IsNullOrWhiteSpace(text) ? null : text;
        }

        private static object? Unwrap(object? value) => value is PSObject wrapped ? wrapped.BaseObject : value;

        private static string ShortName(string commandName)
        {
            var name = commandName ?? string.Empty;
            var slash = name.LastIndexOf('\\');
            return slash >= 0 ? name.Substring(slash + 1) : name;
        }

        private static ProjectSettings? LoadSettings(IDictionary? bound)
        {
            var settingsPath = bound == null ? null : BoundText(bound, "SettingsPath");
            var current = Environment.CurrentDirectory;
            if (Runspace.DefaultRunspace != null)
            {
                // The session's location (not the process's folder), and -SettingsPath resolved as a PowerShell path. In a
                // local scope, so the script's variables cannot touch the user's.
                using (var shell = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
                {
                    shell.AddScript("param($p) $s = $ExecutionContext.SessionState.Path; $s.CurrentFileSystemLocation.ProviderPath; " +
                        "if ($p) { $s.GetUnresolvedProviderPathFromPSPath($p) }", useLocalScope: true).AddArgument(settingsPath);
                    var results = shell.Invoke();
                    if (results.Count > 0 && results[0]?.BaseObject is string folder)
                    {
                        current = folder;
                    }

                    if (results.Count > 1 && results[1]?.BaseObject is string resolved)
                    {
                        settingsPath = resolved;
                    }
                }
            }

            return ArgumentCompletions.TryLoadSettings(settingsPath, current);
        }
    }
}
