import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { Empty, ErrorNote, Loading } from '../components/Status.js';
import { useResource } from '../hooks.js';
import { ProjectCard } from './projects/ProjectCard.js';
import { ProjectForm } from './projects/ProjectForm.js';

/** A card per project with its spend and settings; one project edited at a time. */
export function Projects() {
  const projects = useResource(api.projects, []);
  const [editing, setEditing] = useState<string | undefined>(undefined);
  const [saved, setSaved] = useState<string | undefined>(undefined);
  const list = projects.data?.projects;

  return (
    <>
      <div class="page-head">
        <h1>Projects</h1>
        <p class="muted">Each project's spend this month, and the settings in its own .lodestarrc.</p>
      </div>
      {saved && (
        <p class="notice ok" role="status">
          Saved {saved}'s settings.
        </p>
      )}
      {projects.error && <ErrorNote error={projects.error} retry={projects.reload} />}
      {!list && !projects.error && <Loading what="Loading projects" />}
      {list?.length === 0 && (
        <Empty>
          No projects yet. Run <code>lodestar init</code> in a repository: it writes the project's .lodestarrc and registers it.
        </Empty>
      )}
      {list && list.length > 0 && (
        <div class="grid projects-grid">
          {list.map((project) => (
            <ProjectCard
              key={project.name}
              project={project}
              onEdit={
                // A project seen only in the ledger has no file to write to.
                editing === project.name || project.file === null
                  ? undefined
                  : () => {
                      setEditing(project.name);
                      setSaved(undefined);
                    }
              }
            >
              {editing === project.name && (
                <ProjectForm
                  project={project}
                  onCancel={() => setEditing(undefined)}
                  onSaved={(updated) => {
                    projects.set({ projects: list.map((item) => (item.name === updated.name ? updated : item)) });
                    setEditing(undefined);
                    setSaved(updated.name);
                  }}
                />
              )}
            </ProjectCard>
          ))}
        </div>
      )}
    </>
  );
}
