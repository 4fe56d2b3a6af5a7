using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;

namespace MlOps.CdfEmulator;

/// <summary>
/// What the emulator's "build" checks in a code zip (no pip install, no network): a readable zip, the
/// <c>functionPath</c> module at that path from the zip root, a <c>def handle(</c> in it, and a parseable
/// <c>requirements.txt</c> if there is one. A failure becomes the function's <c>error</c>.
/// </summary>
internal static partial class FunctionBuild
{
    public static FunctionError? Validate(byte[] zipBytes, string functionPath)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(zipBytes), ZipArchiveMode.Read);
            var entries = zip.Entries.GroupBy(e => e.FullName.Replace('\\', '/'), StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
            if (!entries.TryGetValue(functionPath, out var module))
            {
                var names = string.Join(", ", entries.Keys.Where(k => !k.EndsWith('/')).Take(20));
                return new FunctionError($"Function path '{functionPath}' not found in the zip.",
                    $"The zip root holds: {names}\nfunctionPath is relative to the zip root (zip the folder's contents, not the folder).", 400);
            }

            var source = Read(module);
            if (!HandleDefinition().IsMatch(source))
            {
                return new FunctionError($"No 'handle' function defined in {functionPath}.",
                    $"{functionPath} must define: def handle(client, data, secrets, function_call_info) (any subset of those names).", 400);
            }

            if (entries.TryGetValue("requirements.txt", out var requirements))
            {
                var problems = RequirementProblems(Read(requirements));
                if (problems.Count > 0)
                {
                    return new FunctionError("Invalid requirements.txt.",
                        "ERROR: Invalid requirement(s) in requirements.txt:\n" + string.Join("\n", problems), 400);
                }
            }

            return null;
        }
        catch (InvalidDataException e)
        {
            return new FunctionError("The code file is not a valid zip archive.", e.ToString(), 400);
        }
    }

    /// <summary>Lines pip would reject: one requirement per line, <c>#</c> comments and <c>-</c> options allowed.</summary>
    public static List<string> RequirementProblems(string text)
    {
        var problems = new List<string>();
        var lines = text.Replace("\r\n", "\n").Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            var hash = line.IndexOf('#');
            if (hash == 0 || (hash > 0 && char.IsWhiteSpace(line[hash - 1])))
            {
                line = line[..hash];
            }

            line = line.Trim();
            if (line.Length == 0 || line.StartsWith('-'))
            {
                continue;
            }

            if (!Requirement().IsMatch(line))
            {
                problems.Add($"line {i + 1}: '{lines[i].Trim()}'");
            }
        }

        return problems;
    }

    private static string Read(ZipArchiveEntry entry)
    {
        using var reader = new StreamReader(entry.Open(), Encoding.UTF8);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^\s*(async\s+)?def\s+handle\s*\(", RegexOptions.Multiline)]
    private static partial Regex HandleDefinition();

    // name[extras] (spec[, spec]...) (; marker)  |  name[extras] @ url (; marker)
    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?\s*(\[\s*[A-Za-z0-9._-]+(\s*,\s*[A-Za-z0-9._-]+)*\s*\])?\s*(((===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9.*+!_-]+)(\s*,\s*(===|==|!=|<=|>=|~=|<|>)\s*[A-Za-z0-9.*+!_-]+)*|@\s*\S+)?\s*(;.+)?$")]
    private static partial Regex Requirement();
}
