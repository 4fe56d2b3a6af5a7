using System.IO;
using System.Linq;
using System.Management.Automation;
using MlOps.Diagnostics;
using MlOps.PowerShell.Infrastructure;
using MlOps.Registry;

namespace MlOps.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Downloads a model version's artifact files to a folder.</para>
    /// <para type="description">Copies every file of the version into -Path, verifying each file's SHA-256 against the version's
    /// manifest (a CDF version is downloaded and unpacked straight into the new folder, and checked against its content hash).
    /// The folder appears complete or not at all. A folder that exists and is not empty is left alone unless -Force is
    /// given; then it is replaced only after the new copy is complete and verified.</para>
    /// </summary>
    /// <example>
    ///   <code>Get-MlModelVersion diabetes -Environment prod -Latest | Save-MlModelArtifact -Path ./prod-model</code>
    ///   <para>Downloads the prod version's files, verifying every hash.</para>
    /// </example>
    /// <example>
    ///   <code>Save-MlModelArtifact diabetes -Environment test -Version 3 -Path ./v3 -Force -PassThru</code>
    ///   <para>Replaces the contents of ./v3 with version 3, and returns the folder.</para>
    /// </example>
    [Cmdlet(VerbsData.Save, "MlModelArtifact", DefaultParameterSetName = NameSet, SupportsShouldProcess = true)]
    [OutputType(typeof(DirectoryInfo))]
    public sealed class SaveMlModelArtifactCommand : MlOpsCmdlet
    {
        private const string NameSet = "Name";
        private const string InputSet = "InputObject";

        /// <summary>
        /// <para type="description">The version to save, usually piped from Get-MlModelVersion.</para>
        /// </summary>
        [Parameter(ParameterSetName = InputSet, Mandatory = true, ValueFromPipeline = true)]
        public ModelVersion? InputObject { get; set; }

        /// <summary>
        /// <para type="description">The model, as named in the settings.</para>
        /// </summary>
        [Parameter(ParameterSetName = NameSet, Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ModelNameCompleter))]
        public string Name { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">The environment. Default: $env:ENV or $env:MODEL_ENV.</para>
        /// </summary>
        [Parameter(ParameterSetName = NameSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(EnvironmentNameCompleter))]
        public string? Environment { get; set; }

        /// <summary>
        /// <para type="description">The version number. Default: the latest.</para>
        /// </summary>
        [Parameter(ParameterSetName = NameSet)]
        [ValidateRange(1, int.MaxValue)]
        [ArgumentCompleter(typeof(ModelVersionCompleter))]
        [WholeNumber]
        public int Version { get; set; }

        /// <summary>
        /// <para type="description">The folder to write the files into.</para>
        /// </summary>
        [Parameter(Mandatory = true, Position = 1)]
        [Alias("Destination")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>
        /// <para type="description">Replace the contents of a folder that is not empty.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>
        /// <para type="description">Return the folder.</para>
        /// </summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            Try(() =>
            {
                var registry = NewRegistry();
                var version = InputObject ?? Find(registry);
                var destination = ResolvePath(Path);
                if (!ShouldProcess(destination, $"Save {version.ModelId}"))
                {
                    return;
                }

                var saved = registry.Save(version, destination, Force, Reporter, Cancellation);
                if (PassThru)
                {
                    WriteObject(new DirectoryInfo(saved));
                }
            });
        }

        private ModelVersion Find(ProjectRegistry registry)
        {
            var environment = RequireEnvironment(Environment);
            return registry.FindOne(Name, environment, Version > 0 ? Version : (int?)null) ?? throw new MlOpsException(
                Version > 0 ? ErrorIds.ModelVersionNotFound : ErrorIds.ModelNotFound, MlOpsErrorKind.NotFound,
                Version > 0 ? $"Model '{Name}' has no version {Version} in {environment}." : $"Model '{Name}' has no version in {environment}.",
                Name, "List the existing versions with Get-MlModelVersion -Name " + Name + ".");
        }
    }
}
