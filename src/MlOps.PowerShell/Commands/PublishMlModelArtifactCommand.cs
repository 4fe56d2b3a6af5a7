using System.Collections;
using System.Management.Automation;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Stores a model's artifact folder as a new version, or promotes a version to another environment.</para>
    /// <para type="description">With -Path, copies the folder (hashing every file) into the registry of the environment as a new
    /// version: the next number above every number the model has in any environment (so a number names one artifact everywhere),
    /// immutable, visible only once complete, with your -Metadata and MlOps's system metadata. When the project is in a git repository, the version also records its Revision: the commit, the
    /// branch (a CI system's branch variable for a detached checkout) and whether tracked files had uncommitted changes
    /// (system metadata gitCommit, gitBranch, gitDirty). Piped a ModelVersion (from Get-MlModelVersion), promotes it: the same
    /// bytes, verified against the source's hashes, become the version with the same number in -Environment (test/4 becomes
    /// prod/4, as akerbp.mlops promotes), recording the source in PromotedFrom and keeping the source's Revision. Promoting a
    /// version again returns the copy made before (with a warning), also when several promotions run at once; when the target
    /// has that number with another artifact, the promotion fails with PromotionConflict and changes nothing. Dev's local
    /// artifact folder (dev/1) is promoted as a new number. Changes to a protected environment (prod by default) ask for
    /// confirmation unless -Confirm:$false or -Force is given.</para>
    /// </summary>
    /// <example>
    ///   <code>Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ r2 = 0.46; rows = 353 }</code>
    ///   <para>Stores the trained artifact folder as the next version of diabetes in test, with its metrics; the project's git commit is recorded by itself.</para>
    /// </example>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes -Environment test -Serving | Publish-MlModelArtifact -Environment prod -Confirm:$false</code>
    ///   <para>Promotes the version test serves (deployed and tested there) to prod: the same number and bytes, verified, with PromotedFrom lineage.</para>
    /// </example>
    [Cmdlet(VerbsData.Publish, "MlModelArtifact", DefaultParameterSetName = PathSet, SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ModelVersion))]
    public sealed class PublishMlModelArtifactCommand : MlOpsCmdlet
    {
        private const string PathSet = "Path";
        private const string PromoteSet = "Promote";

        /// <summary>
        /// <para type="description">The model, as named in the settings.</para>
        /// </summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">The artifact folder to store. A symbolic link to a file is stored as the bytes it points to; a link
        /// that loops or dangles, a link to a folder and a FIFO, socket or device are refused (InvalidArtifactFolder) before anything is
        /// read. Left out: .git/, .hg/, .svn/, __pycache__/, .ipynb_checkpoints/, *.pyc, .env, .DS_Store, Thumbs.db, .mlopsignore, and
        /// what the folder's .mlopsignore names (gitignore syntax; '!' takes a path back in); -Verbose lists them, and the version
        /// records them (Excluded).</para>
        /// </summary>
        [Parameter(ParameterSetName = PathSet, Mandatory = true, Position = 1)]
        [Alias("FullName", "ArtifactFolder")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">A version to promote, usually piped from Get-MlModelVersion.</para>
        /// </summary>
        [Parameter(ParameterSetName = PromoteSet, Mandatory = true, ValueFromPipeline = true)]
        public ModelVersion? InputObject { get; set; }

        /// <summary>
        /// <para type="description">The environment to store the version in. With -Path, defaults to $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = PromoteSet, Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">User metadata to store with the version: metrics, git commit …, as single values, for example
        /// @{ r2 = 0.91; commit = (git rev-parse HEAD) }. Promotions keep the source's metadata.</para>
        /// </summary>
        [Parameter(ParameterSetName = PathSet)]
        public Hashtable? Metadata { get; set; }

        /// <summary>
        /// <para type="description">Skip the confirmation for protected environments. (A promotion never makes a second copy of a
        /// version: promoting it again returns the first.)</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                if (ParameterSetName == PromoteSet)
                {
                    Promote(InputObject!);
                }
                else
                {
                    PublishFolder();
                }
            });
        }

        private void PublishFolder()
        {
            var environment = RequireEnvironment(Environment);
            var path = ResolvePath(Path);
            var metadata = MetadataConverter.ToStrings(Metadata);
            var registry = NewRegistry();
            var target = $"{Name} in {environment} ({registry.For(environment).Location})";
            if (!ApproveChange(environment, target, $"Publish '{path}' as a new version", Force))
            {
                return;
            }

            WriteObject(registry.Publish(Name, environment, path, metadata, Reporter, Cancellation));
        }

        private void Promote(ModelVersion source)
        {
            var environment = Settings.GetEnvironment(Environment!).Name;
            var registry = NewRegistry();
            if (!ApproveChange(environment, $"{source.ModelId} to {environment}", "Promote", Force))
            {
                return;
            }

            var result = registry.Promote(source, environment, Reporter, Cancellation);
            if (!result.Created)
            {
                WriteWarning($"{result.Version.ModelId} already holds {source.ModelId}; returning it.");
            }

            WriteObject(result.Version);
        }
    }
}
