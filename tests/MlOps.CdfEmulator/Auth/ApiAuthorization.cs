namespace MlOps.CdfEmulator;

/// <summary>The checks every project-scoped API call goes through: valid credentials, access to the project, the capability.</summary>
internal sealed class ApiAuthorization(CdfEmulatorOptions options, AccessTokens tokens)
{
    /// <summary>Returns the project from the route and the caller, or throws the 401/403 the real API would answer.</summary>
    public (string Project, Caller Caller) Require(HttpContext context, string capability) => RequireAny(context, capability);

    /// <summary>As <see cref="Require"/>, but any one of <paramref name="capabilities"/> is enough (e.g. functionsAcl:RUN or WRITE to call).</summary>
    public (string Project, Caller Caller) RequireAny(HttpContext context, params string[] capabilities)
    {
        var capability = capabilities[0];
        var project = context.Request.RouteValues["project"] as string ?? "";
        var caller = tokens.Authenticate(context.Request);
        if (!options.Projects.Contains(project, StringComparer.Ordinal) || !caller.MayUse(project))
        {
            throw new CdfApiException(403,
                $"Resource not found. This may also be due to insufficient access rights: {caller.Subject} has no access to project '{project}'.");
        }

        // A capability limited to data sets ("filesAcl:READ@dataset:123") grants the action; the data sets themselves are not enforced.
        if (!capabilities.Any(c => caller.Capabilities.Contains(c) || caller.Capabilities.Any(g => g.StartsWith(c + "@", StringComparison.Ordinal))))
        {
            var (acl, action) = Split(capability);
            throw new CdfApiException(403,
                $"Resource not found. This may also be due to insufficient access rights: missing capability {capability} ({acl} action {action}, scope all) in project '{project}'.");
        }

        return (project, caller);
    }

    public static (string Acl, string Action) Split(string capability)
    {
        var colon = capability.IndexOf(':');
        return colon < 0 ? (capability, "") : (capability[..colon], capability[(colon + 1)..]);
    }
}
