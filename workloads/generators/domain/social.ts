// The social domain workload: users, their posts, and comments on posts.
//
// API: createSocial(knobs?): DomainWorkload (see domain.ts), SOCIAL_KNOBS, SOCIAL_TEMPLATES.
//
// Tables:
//   users    (id int PK, name string, created_at timestamp)
//   posts    (id int PK, author_id int, created_at timestamp, title string, likes int)
//   comments (id int PK, post_id int, author_id int, created_at timestamp, body string)
// Initial data: `users` users; users x posts_per_user posts spread evenly over the `history_days`
// before the run (ids in time order, authors uniform); on average comments_per_post comments per
// post, each on a post drawn with a skew toward recent ones, at a time after that post.
//
// Templates (default weights):
//   user_feed      0.45  SELECT * FROM posts WHERE author_id = ? ORDER BY created_at DESC LIMIT feed_size
//                        (a user's feed of their own latest posts: the schema has no follows)
//   post_comments  0.35  SELECT * FROM comments WHERE post_id = ? ORDER BY created_at LIMIT page_size
//                        (posts drawn with a skew toward recent ones)
//   new_post       0.05  INSERT INTO posts
//   new_comment    0.15  INSERT INTO comments (on a recent post, skewed)
// Users are drawn uniformly. Suggested indexes: posts (author_id, created_at), comments (post_id,
// created_at).

import type { IndexDefinition } from "../../../engine/query/indexes.js";
import { eq } from "../../../engine/query/query.js";
import type { TableSchema } from "../../../engine/query/schema.js";
import type { Rng } from "../../../sim/rng.js";
import {
  DAY_US,
  DEFAULT_EPOCH_US,
  type DomainWorkload,
  type GeneratedQuery,
  type InitialRow,
  type KnobSpec,
  recentId,
  resolveKnobs,
  TemplateMix,
  type TemplateSpec,
  templateInfos,
  WorkloadClock,
} from "./domain.js";

export const SOCIAL_KNOBS = {
  users: { default: 1000, min: 1, max: 10_000_000, integer: true, description: "Users in the initial data." },
  posts_per_user: {
    default: 5,
    min: 0,
    max: 10_000,
    integer: true,
    description: "Initial posts per user (on average).",
  },
  comments_per_post: {
    default: 3,
    min: 0,
    max: 10_000,
    integer: true,
    description: "Initial comments per post (on average).",
  },
  history_days: {
    default: 30,
    min: 1,
    max: 3650,
    integer: true,
    description: "Days before the run that the initial posts span.",
  },
  feed_size: { default: 20, min: 1, max: 10_000, integer: true, description: "LIMIT of user_feed." },
  page_size: { default: 50, min: 1, max: 10_000, integer: true, description: "LIMIT of post_comments." },
} as const satisfies Record<string, KnobSpec>;

export const SOCIAL_TEMPLATES: readonly TemplateSpec[] = [
  { name: "user_feed", weight: 0.45, description: "A user's latest posts, newest first." },
  { name: "post_comments", weight: 0.35, description: "A post's comments, oldest first (a page)." },
  { name: "new_post", weight: 0.05, description: "A user writes a post." },
  { name: "new_comment", weight: 0.15, description: "A user comments on a (recent) post." },
];

export const SOCIAL_TABLES: readonly TableSchema[] = [
  {
    name: "users",
    columns: [
      { name: "id", type: "int" },
      { name: "name", type: "string", bytes: 16 },
      { name: "created_at", type: "timestamp" },
    ],
    primary_key: ["id"],
  },
  {
    name: "posts",
    columns: [
      { name: "id", type: "int" },
      { name: "author_id", type: "int" },
      { name: "created_at", type: "timestamp" },
      { name: "title", type: "string", bytes: 48 },
      { name: "likes", type: "int" },
    ],
    primary_key: ["id"],
  },
  {
    name: "comments",
    columns: [
      { name: "id", type: "int" },
      { name: "post_id", type: "int" },
      { name: "author_id", type: "int" },
      { name: "created_at", type: "timestamp" },
      { name: "body", type: "string", bytes: 120 },
    ],
    primary_key: ["id"],
  },
];

export const SOCIAL_INDEXES: readonly IndexDefinition[] = [
  { name: "posts_by_author_created", table: "posts", columns: ["author_id", "created_at"] },
  { name: "comments_by_post_created", table: "comments", columns: ["post_id", "created_at"] },
];

export function createSocial(
  given?: Readonly<Record<string, unknown>>,
  epoch_us = DEFAULT_EPOCH_US,
): DomainWorkload {
  const { knobs, mix: weights } = resolveKnobs(SOCIAL_KNOBS, SOCIAL_TEMPLATES, given);
  const mix = new TemplateMix(weights, SOCIAL_TEMPLATES);
  const clock = new WorkloadClock(epoch_us);
  const history_us = knobs.history_days * DAY_US;
  const initialPosts = knobs.users * knobs.posts_per_user;
  const initialComments = initialPosts * knobs.comments_per_post;
  let postCount = initialPosts;
  let commentCount = initialComments;
  const postTime = (id: number) =>
    epoch_us - history_us + Math.floor((id * history_us) / Math.max(1, initialPosts));

  function* initialData(rng: Rng): IterableIterator<InitialRow> {
    for (let id = 0; id < knobs.users; id++) {
      yield {
        table: "users",
        row: { id, name: `user${id}`, created_at: epoch_us - history_us - rng.int(365) * DAY_US },
      };
    }
    for (let id = 0; id < initialPosts; id++) {
      yield {
        table: "posts",
        row: {
          id,
          author_id: rng.int(knobs.users),
          created_at: postTime(id),
          title: `post ${id}`,
          likes: rng.int(100),
        },
      };
    }
    for (let id = 0; id < initialComments; id++) {
      const post = recentId(rng, initialPosts);
      const after = postTime(post);
      yield {
        table: "comments",
        row: {
          id,
          post_id: post,
          author_id: rng.int(knobs.users),
          created_at: after + 1 + Math.floor(rng.float() * (epoch_us - after - 1)),
          body: `comment ${id}`,
        },
      };
    }
  }

  function next(rng: Rng, now_us?: number): GeneratedQuery {
    const now = clock.tick(now_us);
    const template = mix.pick(rng);
    switch (template) {
      case "user_feed":
        return {
          template,
          query: {
            kind: "select",
            table: "posts",
            where: [eq("author_id", rng.int(knobs.users))],
            order_by: [{ column: "created_at", direction: "desc" }],
            limit: knobs.feed_size,
          },
        };
      case "post_comments":
        return {
          template,
          query: {
            kind: "select",
            table: "comments",
            where: [eq("post_id", recentId(rng, Math.max(1, postCount)))],
            order_by: [{ column: "created_at" }],
            limit: knobs.page_size,
          },
        };
      case "new_post": {
        const id = postCount++;
        return {
          template,
          query: {
            kind: "insert",
            table: "posts",
            rows: [{ id, author_id: rng.int(knobs.users), created_at: now, title: `post ${id}`, likes: 0 }],
          },
        };
      }
      default: {
        const id = commentCount++;
        return {
          template,
          query: {
            kind: "insert",
            table: "comments",
            rows: [
              {
                id,
                post_id: recentId(rng, Math.max(1, postCount)),
                author_id: rng.int(knobs.users),
                created_at: now,
                body: `comment ${id}`,
              },
            ],
          },
        };
      }
    }
  }

  return {
    type: "social",
    tables: SOCIAL_TABLES,
    templates: templateInfos(SOCIAL_TEMPLATES, weights),
    suggested_indexes: SOCIAL_INDEXES,
    knobs,
    mix: weights,
    epoch_us,
    initialData,
    next,
  };
}
