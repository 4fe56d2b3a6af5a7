#
# Module manifest for MlOps.
#
# How this manifest finds the built assemblies: RootModule points at bin/MlOps.PowerShell.dll relative to this
# file. `./build.ps1 -Task Build` publishes the cmdlet assembly and its dependencies into ./bin, so after a build
# `Import-Module ./MlOps.psd1` works straight from the repository. `./build.ps1 -Task Package` copies this
# manifest with bin/ and module/ into out/MlOps/<version>/, keeping the same relative layout.
# ModuleVersion is stamped by build.ps1 from <MlOpsVersion> in Directory.Build.props, the one source (a test checks it).
#
@{
    RootModule           = 'bin/MlOps.PowerShell.dll'
    ModuleVersion        = '0.1.0'
    CompatiblePSEditions = @('Desktop', 'Core')
    GUID                 = '3f6b2d0e-9a4c-4d67-8b1e-5c2f7a9d4e10'
    Author               = 'MlOps contributors'
    CompanyName          = 'MlOps'
    Copyright            = '(c) MlOps contributors. MIT License.'
    Description          = 'Takes Python machine-learning models from a data scientist''s folder to running, tested services on Cognite Data Fusion: a versioned model registry per environment, packaging, deployment and service tests.'
    PowerShellVersion    = '5.1'
    FormatsToProcess     = @('module/MlOps.Format.ps1xml')
    CmdletsToExport      = @(
        'Get-MlSetting'
        'Import-MlAkerbpProject'
        'Test-MlSetting'
        'Publish-MlModelArtifact'
        'Get-MlModelVersion'
        'Save-MlModelArtifact'
        'Deploy-MlPredictionService'
        'Deploy-MlTrainingService'
        'Invoke-MlServiceTest'
        'Invoke-MlPrediction'
        'Invoke-MlTraining'
        'Get-MlService'
        'Remove-MlService'
        'Get-MlServiceLog'
        'Connect-MlCdf'
        'Disconnect-MlCdf'
        'Test-MlCdfConnection'
        'Get-MlDeploymentHistory'
        'Restore-MlService'
        'Register-MlServiceSchedule'
        'Get-MlServiceSchedule'
        'Unregister-MlServiceSchedule'
        'New-MlProject'
        'Add-MlModel'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('MLOps', 'MachineLearning', 'Cognite', 'CDF', 'ModelRegistry', 'Deployment', 'Python', 'PSEdition_Core', 'PSEdition_Desktop', 'Linux', 'Windows', 'MacOS')
            ProjectUri   = 'https://github.com/mlops-pwsh/MlOps'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
