using System.Security.Cryptography;

namespace MlOps.CdfEmulator;

/// <summary>Sessions of all projects and their single-use, short-lived nonces.</summary>
public sealed class SessionStore
{
    // Sessions themselves outlive their nonce by far; CDF keeps client-credential sessions alive while in use.
    private static readonly TimeSpan SessionLifetime = TimeSpan.FromDays(1);

    private readonly object gate = new();
    private readonly Dictionary<long, Session> sessions = [];
    private readonly Dictionary<string, long> byNonce = new(StringComparer.Ordinal);
    private readonly CdfEmulatorOptions options;
    private readonly EmulatorClock clock;
    private readonly CdfIds ids;

    internal SessionStore(CdfEmulatorOptions options, EmulatorClock clock, CdfIds ids)
    {
        this.options = options;
        this.clock = clock;
        this.ids = ids;
    }

    public IReadOnlyList<Session> All(string project)
    {
        lock (gate)
        {
            return sessions.Values.Where(s => s.Project == project).OrderBy(s => s.Id).Select(s => s.Clone()).ToList();
        }
    }

    /// <summary>
    /// Checks a nonce as a function call or schedule create would, and consumes it when valid: a nonce works once,
    /// within <see cref="CdfEmulatorOptions.NonceLifetime"/> of its creation, in its own project, until revoked.
    /// </summary>
    public NonceCheck ConsumeNonce(string project, string nonce)
    {
        lock (gate)
        {
            if (!byNonce.TryGetValue(nonce, out var id))
            {
                return new NonceCheck(NonceStatus.Unknown, null);
            }

            var session = sessions[id];
            var status = session switch
            {
                _ when session.Project != project => NonceStatus.WrongProject,
                { Status: "REVOKED" } => NonceStatus.Revoked,
                { NonceUsed: true } => NonceStatus.AlreadyUsed,
                _ when clock.NowMs >= session.NonceExpiresAt => NonceStatus.Expired,
                _ => NonceStatus.Valid,
            };
            if (status == NonceStatus.Valid)
            {
                session.NonceUsed = true;
                session.Status = "ACTIVE";
            }

            return new NonceCheck(status, session.Clone());
        }
    }

    internal Session Create(string project, string type, string? clientId)
    {
        var now = clock.NowMs;
        var session = new Session
        {
            Id = ids.Next(),
            Project = project,
            Type = type,
            ClientId = clientId,
            Nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            CreationTime = now,
            ExpirationTime = now + (long)SessionLifetime.TotalMilliseconds,
            NonceExpiresAt = now + (long)options.NonceLifetime.TotalMilliseconds,
        };
        lock (gate)
        {
            sessions[session.Id] = session;
            byNonce[session.Nonce] = session.Id;
        }

        return session.Clone();
    }

    internal List<Session> Resolve(string project, IReadOnlyList<long> sessionIds)
    {
        lock (gate)
        {
            var missing = sessionIds.Where(id => !sessions.TryGetValue(id, out var s) || s.Project != project).ToList();
            if (missing.Count > 0)
            {
                throw new CdfApiException(400, "Sessions not found", missing: missing.Select(ResourceIdentifier.ById).ToList());
            }

            return sessionIds.Select(id => sessions[id].Clone()).ToList();
        }
    }

    internal List<Session> Revoke(string project, IReadOnlyList<long> sessionIds)
    {
        lock (gate)
        {
            Resolve(project, sessionIds);
            foreach (var id in sessionIds)
            {
                sessions[id].Status = "REVOKED";
            }

            return sessionIds.Select(id => sessions[id].Clone()).ToList();
        }
    }

    internal (List<Session> Page, string? NextCursor) List(string project, string? status, string? cursor, int limit)
    {
        lock (gate)
        {
            var matching = sessions.Values
                .Where(s => s.Project == project && (status is null || string.Equals(s.Status, status, StringComparison.OrdinalIgnoreCase)))
                .OrderBy(s => s.Id);
            var (page, next) = Paging.Page(matching, s => s.Id, "sessions", cursor, limit, options.MaxPageSize);
            return (page.Select(s => s.Clone()).ToList(), next);
        }
    }
}
