using System.Text.RegularExpressions;

namespace MlOps.CdfEmulator;

/// <summary>
/// A route pattern such as <c>POST /files</c>, <c>PUT /upload/*</c> or <c>* /files/*</c>. API paths are matched
/// without their <c>/api/v1/projects/{project}</c> prefix; <c>*</c> matches any characters, including <c>/</c>.
/// </summary>
public sealed class RoutePattern
{
    private readonly string method;
    private readonly Regex path;

    public RoutePattern(string pattern)
    {
        var parts = pattern.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !parts[1].StartsWith('/'))
        {
            throw new ArgumentException($"Route pattern '{pattern}' must look like 'POST /files' or 'PUT /upload/*'.", nameof(pattern));
        }

        Text = pattern.Trim();
        method = parts[0].ToUpperInvariant();
        path = new Regex("^" + Regex.Escape(parts[1]).Replace("\\*", ".*") + "$", RegexOptions.CultureInvariant);
    }

    public string Text { get; }

    public bool Matches(string requestMethod, string route)
    {
        var routePath = route.Contains(' ') ? route[(route.IndexOf(' ') + 1)..] : route;
        return (method == "*" || string.Equals(method, requestMethod, StringComparison.OrdinalIgnoreCase)) && path.IsMatch(routePath);
    }

    /// <summary>The route key of a request: its method and its path without the project prefix.</summary>
    public static string RouteOf(HttpRequest request)
    {
        var fullPath = request.Path.Value ?? "/";
        const string prefix = "/api/v1/projects/";
        var relative = fullPath;
        if (fullPath.StartsWith(prefix, StringComparison.Ordinal))
        {
            var slash = fullPath.IndexOf('/', prefix.Length);
            relative = slash < 0 ? "/" : fullPath[slash..];
        }

        // ASP.NET routing treats /files/ like /files (the JS SDK sends the slash), so rules must too.
        if (relative.Length > 1 && relative.EndsWith('/'))
        {
            relative = relative.TrimEnd('/');
        }

        return request.Method.ToUpperInvariant() + " " + relative;
    }

    public override string ToString() => Text;
}
