namespace MlOps.CdfEmulator;

/// <summary>The data sets of each project (create, retrieve by id or external id, list). Data sets are never deleted in CDF.</summary>
public sealed class DataSetStore
{
    private readonly EmulatorClock clock;
    private readonly CdfIds ids;
    private readonly object _gate = new();
    private readonly Dictionary<string, List<DataSet>> _byProject = new(StringComparer.Ordinal);

    internal DataSetStore(EmulatorClock clock, CdfIds ids)
    {
        this.clock = clock;
        this.ids = ids;
    }

    /// <summary>Creates data sets (all or none); an external id in use is a 409 naming it.</summary>
    public List<DataSet> Create(string project, IReadOnlyList<DataSet> items)
    {
        lock (_gate)
        {
            var existing = Project(project);
            var duplicated = items.Where(i => i.ExternalId is not null)
                .Where(i => existing.Any(d => d.ExternalId == i.ExternalId) || items.Count(o => o.ExternalId == i.ExternalId) > 1)
                .Select(i => ResourceIdentifier.ByExternalId(i.ExternalId!)).Distinct().ToList();
            if (duplicated.Count > 0)
            {
                throw new CdfApiException(409, "ExternalId duplicated", duplicated: duplicated);
            }

            var now = clock.NowMs;
            var created = items.Select(i => new DataSet
            {
                Id = ids.Next(), ExternalId = i.ExternalId, Name = i.Name, Description = i.Description, Metadata = i.Metadata,
                WriteProtected = i.WriteProtected, CreatedTime = now, LastUpdatedTime = now,
            }).ToList();
            existing.AddRange(created);
            return created;
        }
    }

    /// <summary>Creates one data set from a test or the command line.</summary>
    public DataSet Create(string project, string? externalId, string? name = null) =>
        Create(project, [new DataSet { Id = 0, ExternalId = externalId, Name = name }])[0];

    /// <summary>The data sets named, in request order; unknown ones are a 400 with <c>missing</c> unless ignored.</summary>
    public List<DataSet> Resolve(string project, IEnumerable<ResourceIdentifier> identifiers, bool ignoreUnknownIds)
    {
        lock (_gate)
        {
            var all = Project(project);
            var found = new List<DataSet>();
            var missing = new List<ResourceIdentifier>();
            foreach (var identifier in identifiers)
            {
                var match = all.FirstOrDefault(d => identifier.Id is long id ? d.Id == id : d.ExternalId == identifier.ExternalId);
                if (match is null)
                {
                    missing.Add(identifier);
                }
                else if (!found.Contains(match))
                {
                    found.Add(match);
                }
            }

            if (missing.Count > 0 && !ignoreUnknownIds)
            {
                throw new CdfApiException(400, "Ids not found", missing: missing);
            }

            return found;
        }
    }

    /// <summary>The id of each data set an identifier names (unknown ones are left out, as a files filter treats them).</summary>
    public HashSet<long> Ids(string project, IEnumerable<ResourceIdentifier> identifiers) =>
        Resolve(project, identifiers, ignoreUnknownIds: true).Select(d => d.Id).ToHashSet();

    public List<DataSet> List(string project, Func<DataSet, bool> filter)
    {
        lock (_gate)
        {
            return Project(project).Where(filter).OrderBy(d => d.Id).ToList();
        }
    }

    private List<DataSet> Project(string project)
    {
        if (!_byProject.TryGetValue(project, out var list))
        {
            list = [];
            _byProject[project] = list;
        }

        return list;
    }
}
