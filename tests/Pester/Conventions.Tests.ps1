# The conventions every MlOps cmdlet follows, checked on the built module: names, -WhatIf/-Confirm, -Force, -PassThru,
# completers, declared output types that match what is written and have a view, errors with stable ids and recommended
# actions, -Verbose narration and progress that $ProgressPreference silences. Help completeness is in Module.Tests.ps1.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Common.ps1')
    Import-Module $ManifestPath -Force
    $commands = @(Get-Command -Module MlOps -CommandType Cmdlet)
    $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
    # Verbs whose cmdlets change something outside the session: they must support -WhatIf and -Confirm.
    $changingVerbs = 'New', 'Set', 'Add', 'Remove', 'Clear', 'Publish', 'Unpublish', 'Save', 'Deploy', 'Install', 'Uninstall', 'Register',
        'Unregister', 'Start', 'Stop', 'Restart', 'Update', 'Reset', 'Rename', 'Move', 'Copy', 'Import', 'Initialize', 'Enable', 'Disable'
    # Cmdlets whose verb does not say so but that change state: Invoke-MlTraining publishes a version.
    $changingCommands = @('Invoke-MlTraining')

    function Test-HasCompleter($parameter) {
        @($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] }).Count -gt 0
    }
}

Describe 'Cmdlet naming and parameters' {
    It 'uses approved verbs and a singular noun with the Ml prefix' {
        $approved = (Get-Verb).Verb
        foreach ($command in $commands) {
            $approved | Should -Contain $command.Verb -Because "$($command.Name) must use an approved verb (Get-Verb)"
            $command.Noun | Should -MatchExactly '^Ml[A-Z][A-Za-z]+$' -Because "$($command.Name) needs the Ml prefix"
            $command.Noun | Should -Not -Match '(?<!s)s$' -Because "$($command.Name) must use a singular noun"
        }
    }

    It 'supports -WhatIf and -Confirm on every cmdlet that changes state, and on no Get or Test cmdlet' {
        foreach ($command in $commands) {
            $changes = $command.Verb -in $changingVerbs -or $command.Name -in $changingCommands
            $supports = $command.Parameters.ContainsKey('WhatIf') -and $command.Parameters.ContainsKey('Confirm')
            if ($changes) { $supports | Should -BeTrue -Because "$($command.Name) changes state" }
            if ($command.Verb -in 'Get', 'Test') { $supports | Should -BeFalse -Because "$($command.Name) only reads" }
        }
    }

    It 'offers -Force on every cmdlet that can change a (protected) environment' {
        foreach ($command in $commands | Where-Object { $_.Parameters.ContainsKey('WhatIf') -and $_.Parameters.ContainsKey('Environment') }) {
            $command.Parameters.Keys | Should -Contain 'Force' -Because "$($command.Name) asks before changing prod"
        }
    }

    It 'returns what it changed, or offers -PassThru' {
        foreach ($command in $commands | Where-Object { $_.Parameters.ContainsKey('WhatIf') }) {
            $types = @($command.OutputType.Type | Where-Object { $_ -ne [void] })
            $types.Count | Should -BeGreaterThan 0 -Because "$($command.Name) should write its result or offer -PassThru with an [OutputType]"
        }
        foreach ($command in $commands | Where-Object { $_.Parameters.ContainsKey('PassThru') }) {
            @($command.OutputType.Type | Where-Object { $_ -ne [void] }).Count | Should -BeGreaterThan 0 -Because "$($command.Name) -PassThru writes objects"
        }
    }

    It 'completes every environment, model, version and service parameter' {
        # Parameters that name something new (a model being created) have nothing to complete.
        $creating = @('Add-MlModel', 'New-MlProject')
        foreach ($command in $commands) {
            foreach ($parameter in $command.Parameters.Values | Where-Object Name -notin $common) {
                $needs = $parameter.Name -in 'Environment', 'Model' -or
                    ($parameter.Name -eq 'Version' -and $parameter.ParameterType -eq [int]) -or
                    ($parameter.Name -eq 'Name' -and $command.Name -notin $creating)
                if ($needs) {
                    Test-HasCompleter $parameter | Should -BeTrue -Because "$($command.Name) -$($parameter.Name) should complete"
                }
            }
        }
    }

    It 'takes its own objects from the pipeline as -InputObject' {
        foreach ($command in $commands | Where-Object { $_.Parameters.ContainsKey('InputObject') }) {
            $attributes = $command.Parameters['InputObject'].Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }
            @($attributes | Where-Object ValueFromPipeline).Count | Should -BeGreaterThan 0 -Because "$($command.Name) -InputObject takes pipeline input"
        }
    }
}

Describe 'Output, views, errors, narration and progress of every cmdlet' {
    BeforeAll {
        $savedEnv = $env:ENV, $env:MODEL_ENV, $env:MLOPS_PESTER_CDF_SECRET
        $env:ENV = $null; $env:MODEL_ENV = $null
        # Not in $TestDrive: the deployed services must outlive the block until AfterAll removes them.
        $project = Join-Path ([IO.Path]::GetTempPath()) "mlops-conventions-$([guid]::NewGuid().ToString('N'))"
        Copy-Item (Join-Path $RepoRoot 'scripts/example') $project -Recurse
        $python = Find-TestPython
        $cdf = Start-CdfEmulator
        $cdfProject = New-TestProject (Join-Path $TestDrive 'cdf-project') -Cdf $cdf
        $broken = New-Item -ItemType Directory -Path (Join-Path $TestDrive 'broken') -Force
        Set-Content (Join-Path $broken 'mlops.settings.json') '{ "models": [ { "name": "bad-name", "codeFolder": "nowhere" } ], "extra": 1 }'
        Push-Location $project
        & $python -c "from models.diabetes.model import train; train('artifacts/diabetes', {})"

        # Runs every cmdlet, recording per cmdlet what it wrote to the output and the verbose streams.
        $outputs = @{}
        $verbose = @{}
        function Invoke-Recorded([string] $Name, [scriptblock] $Script) {
            if (-not $outputs.ContainsKey($Name)) { $outputs[$Name] = [Collections.Generic.List[object]]::new(); $verbose[$Name] = [Collections.Generic.List[string]]::new() }
            $VerbosePreference = 'Continue'
            foreach ($item in & $Script 4>&1) {
                if ($item -is [System.Management.Automation.VerboseRecord]) { $verbose[$Name].Add($item.Message) }
                else { $outputs[$Name].Add($item) }
            }
        }

        Invoke-Recorded Get-MlSetting { Get-MlSetting }
        Invoke-Recorded Get-MlSetting { Get-MlSetting -Model * }
        Invoke-Recorded Get-MlSetting { Get-MlSetting -Environment * }
        Invoke-Recorded Test-MlSetting { Test-MlSetting }
        Invoke-Recorded Test-MlSetting { Test-MlSetting -SettingsPath $broken -Detailed }
        Invoke-Recorded Publish-MlModelArtifact { Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ r2 = 0.46 } }
        Invoke-Recorded Publish-MlModelArtifact { Get-MlModelVersion diabetes -Environment test -Latest | Publish-MlModelArtifact -Environment prod -Force }
        Invoke-Recorded Get-MlModelVersion { Get-MlModelVersion }
        Invoke-Recorded Save-MlModelArtifact { Save-MlModelArtifact diabetes -Environment test -Path (Join-Path $TestDrive 'saved') -PassThru }
        Invoke-Recorded Deploy-MlPredictionService { Deploy-MlPredictionService diabetes -Environment test }
        Invoke-Recorded Deploy-MlTrainingService { Deploy-MlTrainingService diabetes -Environment test }
        Invoke-Recorded Invoke-MlServiceTest { Get-MlService -Environment test | Invoke-MlServiceTest }
        Invoke-Recorded Invoke-MlPrediction { Invoke-MlPrediction diabetes -Environment test -Data @{ age = 1 } -ErrorAction SilentlyContinue }
        Invoke-Recorded Invoke-MlTraining { Invoke-MlTraining diabetes -Environment test }
        Invoke-Recorded Get-MlService { Get-MlService }
        Invoke-Recorded Get-MlServiceLog { Get-MlServiceLog diabetes -Environment test -Tail 3 }
        Invoke-Recorded Remove-MlService { Remove-MlService diabetes -Environment test -Service Training -PassThru }
        Invoke-Recorded Remove-MlService { Remove-MlService diabetes -Environment test -Service Prediction }
        $env:MLOPS_PESTER_CDF_SECRET = $cdf.ClientSecret
        Invoke-Recorded Test-MlCdfConnection { Test-MlCdfConnection test -SettingsPath $cdfProject }
        Invoke-Recorded Test-MlCdfConnection { Test-MlCdfConnection test -SettingsPath $cdfProject -Detailed }
        $env:MLOPS_PESTER_CDF_SECRET = $null
        Invoke-Recorded Connect-MlCdf { Connect-MlCdf test -SettingsPath $cdfProject -Secret (ConvertTo-SecureString $cdf.ClientSecret -AsPlainText -Force) }
        Invoke-Recorded Disconnect-MlCdf { Disconnect-MlCdf test -SettingsPath $cdfProject }

        $allObjects = @($outputs.Values | ForEach-Object { $_ })
        function Get-Sample([type] $Type) { $allObjects | Where-Object { $_ -is $Type } | Select-Object -First 1 }
    }

    AfterAll {
        Get-MlService | Remove-MlService -Force -Confirm:$false
        Pop-Location
        Stop-CdfEmulator $cdf
        Get-ChildItem $project -Recurse -File | ForEach-Object { $_.IsReadOnly = $false }
        Remove-Item $project -Recurse -Force
        $env:ENV, $env:MODEL_ENV, $env:MLOPS_PESTER_CDF_SECRET = $savedEnv
    }

    It 'exercised the cmdlets' {
        # New cmdlets are checked statically above; add them to the scenario (and to this list) to check what they write.
        $scenario = 'Get-MlSetting', 'Test-MlSetting', 'Publish-MlModelArtifact', 'Get-MlModelVersion', 'Save-MlModelArtifact', 'Deploy-MlPredictionService',
            'Deploy-MlTrainingService', 'Invoke-MlServiceTest', 'Invoke-MlPrediction', 'Invoke-MlTraining', 'Get-MlService', 'Remove-MlService',
            'Get-MlServiceLog', 'Connect-MlCdf', 'Disconnect-MlCdf', 'Test-MlCdfConnection'
        foreach ($name in $scenario) {
            $commands.Name | Should -Contain $name
            $outputs.Keys | Should -Contain $name
        }
    }

    It 'writes only objects of the types each cmdlet declares with [OutputType]' {
        foreach ($name in $outputs.Keys) {
            $declared = @((Get-Command $name).OutputType.Type)
            foreach ($item in $outputs[$name]) {
                $type = $item.GetType()
                @($declared | Where-Object { $_.IsAssignableFrom($type) }).Count | Should -BeGreaterThan 0 -Because "$name wrote a $($type.FullName)"
            }
            if ($declared.Count -eq 1 -and $declared[0] -eq [void]) { $outputs[$name] | Should -BeNullOrEmpty -Because "$name declares no output" }
        }
        # The scenario really produced each kind of object.
        $kinds = $allObjects | ForEach-Object { $_.GetType().FullName } | Sort-Object -Unique
        foreach ($kind in 'MlOps.Registry.ModelVersion', 'MlOps.Services.ServiceDeployment', 'MlOps.Services.ServiceTestResult', 'MlOps.Services.ServiceResponse',
            'MlOps.Services.ServiceLogEntry', 'MlOps.Cdf.CdfConnectionCheck', 'MlOps.Settings.SettingsProblem', 'MlOps.Settings.ProjectSettings',
            'MlOps.Settings.ModelSettings', 'MlOps.Settings.EnvironmentSettings', 'System.IO.DirectoryInfo', 'System.Boolean') {
            $kinds | Should -Contain $kind
        }
        (@($outputs['Remove-MlService'])[0]).Status | Should -Be 'Stopped'
    }

    It 'renders <Type> as a compact default table with the expected columns' -TestCases @(
        @{ Type = 'MlOps.Registry.ModelVersion'; Columns = 'Name', 'Environment', 'Version', 'Created', 'Size', 'Files', 'PromotedFrom', 'Metadata' }
        @{ Type = 'MlOps.Services.ServiceDeployment'; Columns = 'Name', 'Status', 'ModelId', 'Platform', 'Endpoint', 'Deployed', 'Tests' }
        @{ Type = 'MlOps.Services.ServiceTestResult'; Columns = 'ServiceName', 'Test', 'Passed', 'Seconds', 'Message' }
        @{ Type = 'MlOps.Services.ServiceResponse'; Columns = 'ServiceName', 'Status', 'ModelId', 'Ms', 'Result' }
        @{ Type = 'MlOps.Services.ServiceLogEntry'; Columns = 'Time', 'Level', 'CallId', 'Logger', 'Message' }
        @{ Type = 'MlOps.Cdf.CdfConnectionCheck'; Columns = 'Environment', 'Check', 'Passed', 'Message' }
        @{ Type = 'MlOps.Settings.SettingsProblem'; Columns = 'Severity', 'Path', 'Message', 'Expected' }
        @{ Type = 'MlOps.Settings.ModelSettings'; Columns = 'Name', 'Services', 'CodeFolder', 'ArtifactFolder' }
        @{ Type = 'MlOps.Settings.EnvironmentSettings'; Columns = 'Name', 'Protected', 'Registry', 'Platform' }
    ) {
        $sample = Get-Sample ([type]$Type)
        $sample | Should -Not -BeNullOrEmpty
        # Out-Default's rendering: without a default table view PowerShell would list each object instead.
        $lines = ($sample | Out-String -Width 250) -split "`r?`n" | Where-Object { $_.Trim() }
        $lines[0].Trim() -split '\s+' | Should -Be $Columns
        $lines[1] | Should -Match '^[-\s]+$'
        ($sample | Format-Table | Out-String -Width 250) -split "`r?`n" | Where-Object { $_.Trim() } | Select-Object -First 1 |
            ForEach-Object { $_.Trim() -split '\s+' } | Should -Be $Columns
    }

    It 'shows every property with Format-List' {
        $samples = $allObjects | Where-Object { $_.GetType().Namespace -like 'MlOps*' } | Group-Object { $_.GetType().FullName } | ForEach-Object { $_.Group[0] }
        @($samples).Count | Should -BeGreaterOrEqual 10
        foreach ($sample in $samples) {
            $text = $sample | Format-List | Out-String -Width 250
            foreach ($property in $sample.PSObject.Properties.Name) {
                $text | Should -Match "(?m)^$property\s*:" -Because "Format-List of $($sample.GetType().Name) shows $property"
            }
        }
    }

    It 'narrates what it does with -Verbose when it changes something' {
        foreach ($name in $outputs.Keys | Where-Object { $_ -in $changingCommands -or (Get-Command $_).Verb -in $changingVerbs }) {
            $narration = @($verbose[$name] | Where-Object { $_ -notlike 'Performing the operation*' })
            $narration.Count | Should -BeGreaterThan 0 -Because "$name should say what it does with -Verbose"
        }
        $verbose['Publish-MlModelArtifact'] -join "`n" | Should -Match 'Stored diabetes/test/\d+'
    }

    It 'shows progress that $ProgressPreference = SilentlyContinue silences' {
        $artifact = New-TestArtifact (Join-Path $TestDrive 'progress-artifact') -Files 5
        foreach ($preference in 'Continue', 'SilentlyContinue') {
            $shell = [powershell]::Create()
            try {
                $null = $shell.AddScript("Import-Module '$ManifestPath'; Set-Location '$project'; `$ProgressPreference = '$preference'
                    Publish-MlModelArtifact diabetes '$artifact' -Environment dev | Save-MlModelArtifact -Path '$TestDrive/progress-$preference'")
                $null = $shell.Invoke()
                $shell.Streams.Error | Should -BeNullOrEmpty
                if ($preference -eq 'Continue') { $shell.Streams.Progress.Count | Should -BeGreaterThan 0 }
                else { $shell.Streams.Progress.Count | Should -Be 0 }
            }
            finally { $shell.Dispose() }
        }
    }

    It 'reports <Id> as an error record with that id and a recommended action' -TestCases @(
        @{ Id = 'SettingsNotFound'; Call = { Get-MlSetting -SettingsPath (Join-Path $TestDrive 'nowhere') } }
        @{ Id = 'InvalidSettings'; Call = { Get-MlModelVersion -SettingsPath $broken } }
        @{ Id = 'EnvironmentNotFound'; Call = { Get-MlService -Environment nosuch } }
        @{ Id = 'EnvironmentNotSpecified'; Call = { Publish-MlModelArtifact diabetes ./artifacts/diabetes } }
        @{ Id = 'ModelNotFound'; Call = { Get-MlModelVersion nosuch -Environment test } }
        @{ Id = 'ModelVersionNotFound'; Call = { Get-MlModelVersion diabetes -Environment test -Version 99 } }
        @{ Id = 'ArtifactPathNotFound'; Call = { Publish-MlModelArtifact diabetes ./missing -Environment test } }
        @{ Id = 'InvalidMetadata'; Call = { Publish-MlModelArtifact diabetes ./artifacts/diabetes -Environment test -Metadata @{ list = 1, 2 } } }
        @{ Id = 'DestinationNotEmpty'; Call = { Save-MlModelArtifact diabetes -Environment test -Path ./models } }
        @{ Id = 'ModelVersionNotFound'; Call = { Deploy-MlPredictionService diabetes -Environment test -Version 99 } }
        @{ Id = 'ServiceNotFound'; Call = { Invoke-MlPrediction diabetes -Environment dev -Data @{ } } }
        @{ Id = 'ServiceNotFound'; Call = { Invoke-MlTraining diabetes -Environment dev } }
        @{ Id = 'ServiceNotFound'; Call = { Invoke-MlServiceTest diabetes -Environment dev } }
        @{ Id = 'ServiceNotFound'; Call = { Remove-MlService diabetes -Environment dev } }
        @{ Id = 'ServiceNotFound'; Call = { Get-MlServiceLog diabetes -Environment dev } }
        @{ Id = 'UnsupportedRegistry'; Call = { Test-MlCdfConnection dev } }
        @{ Id = 'UnsupportedRegistry'; Call = { Connect-MlCdf dev -Secret (ConvertTo-SecureString 'x' -AsPlainText -Force) } }
        @{ Id = 'UnsupportedRegistry'; Call = { Disconnect-MlCdf dev } }
        @{ Id = 'CdfSecretMissing'; Call = { Get-MlModelVersion -SettingsPath $cdfProject -Environment test } }
        @{ Id = 'CdfConnectionFailed'; Call = {
            try { Connect-MlCdf test -SettingsPath $cdfProject -Secret (ConvertTo-SecureString 'wrong' -AsPlainText -Force) }
            finally { Disconnect-MlCdf test -SettingsPath $cdfProject } } }
    ) {
        $known = @([MlOps.Diagnostics.ErrorIds], [MlOps.Diagnostics.CdfErrorIds] | ForEach-Object { $_.GetFields() } | ForEach-Object { $_.GetValue($null) }) +
            [MlOps.Cdf.CdfConnections]::SecretMissing
        $ErrorActionPreference = 'Stop'
        $record = try { & $Call 3>$null | Out-Null; $null } catch { $_ }
        $record | Should -Not -BeNullOrEmpty -Because 'the call should fail'
        $id = ($record.FullyQualifiedErrorId -split ',')[0]
        $id | Should -Be $Id
        $known | Should -Contain $id
        $record.FullyQualifiedErrorId | Should -BeLike "$Id,MlOps.PowerShell.Commands.*"
        $record.ErrorDetails.RecommendedAction | Should -Not -BeNullOrEmpty
        $record.CategoryInfo.Category | Should -Not -Be 'NotSpecified'
    }
}
