//! Facts derived from the model and shared by the rules: how a subnet routes, what a security
//! group admits, what a role may do, what an ECS task needs. Depends only on the model; every
//! answer says "unknown, because …" when the sources do not decide it.
//!
//! `Analysis` computes the facts several rules ask for once per model, on first use.
pub mod ecs;
pub mod iam;
pub mod net;

use crate::model::{Model, Resource};
use net::ingress::Ingress;
use net::DefaultRoute;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

pub struct Analysis<'m> {
    pub model: &'m Model,
    ingress: OnceCell<Vec<Ingress<'m>>>,
    lb_groups: OnceCell<Vec<&'m Resource>>,
    routes: RefCell<HashMap<(usize, bool), DefaultRoute<'m>>>,
}

impl<'m> Analysis<'m> {
    pub fn new(model: &'m Model) -> Analysis<'m> {
        Analysis {
            model,
            ingress: OnceCell::new(),
            lb_groups: OnceCell::new(),
            routes: RefCell::new(HashMap::new()),
        }
    }

    /// Every ingress rule of every security group, normalized (inline blocks, rule resources).
    pub fn ingress(&self) -> &[Ingress<'m>] {
        self.ingress.get_or_init(|| net::all_ingress(self.model))
    }

    /// The security groups attached to load balancers.
    pub fn lb_groups(&self) -> &[&'m Resource] {
        self.lb_groups
            .get_or_init(|| net::admits::lb_groups(self.model))
    }

    pub fn is_lb_group(&self, sg: &Resource) -> bool {
        self.lb_groups().iter().any(|g| std::ptr::eq(*g, sg))
    }

    /// Where a subnet's default traffic goes (IPv6 too when the subnet has IPv6).
    pub fn default_route(&self, subnet: &'m Resource) -> DefaultRoute<'m> {
        self.route(subnet, false)
    }

    /// Where a subnet's default IPv4 traffic goes.
    pub fn default_route_v4(&self, subnet: &'m Resource) -> DefaultRoute<'m> {
        self.route(subnet, true)
    }

    fn route(&self, subnet: &'m Resource, v4: bool) -> DefaultRoute<'m> {
        let Some(i) = self.model.position(subnet) else {
            return compute_route(self.model, subnet, v4);
        };
        if let Some(r) = self.routes.borrow().get(&(i, v4)) {
            return r.clone();
        }
        let r = compute_route(self.model, subnet, v4);
        self.routes.borrow_mut().insert((i, v4), r.clone());
        r
    }
}

fn compute_route<'m>(model: &'m Model, subnet: &'m Resource, v4: bool) -> DefaultRoute<'m> {
    if v4 {
        net::default_route_v4(model, subnet)
    } else {
        net::default_route(model, subnet)
    }
}
