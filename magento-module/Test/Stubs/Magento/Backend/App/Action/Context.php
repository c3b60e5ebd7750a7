<?php

/**
 * Copyright © The Gladly bridge for Magento 2 authors. All rights reserved.
 * Proprietary; see composer.json for the license.
 */

declare(strict_types=1);

namespace Magento\Backend\App\Action;

use Magento\Backend\Model\View\Result\RedirectFactory;
use Magento\Framework\App\RequestInterface;
use Magento\Framework\AuthorizationInterface;
use Magento\Framework\Message\ManagerInterface;

/**
 * Test stand-in for Magento's backend action context (the getters this module relies on).
 */
class Context
{
    private RequestInterface $request;

    private AuthorizationInterface $authorization;

    private ManagerInterface $messageManager;

    private RedirectFactory $resultRedirectFactory;

    /**
     * Keep the collaborators.
     *
     * @param RequestInterface $request
     * @param AuthorizationInterface $authorization
     * @param ManagerInterface $messageManager
     * @param RedirectFactory $resultRedirectFactory
     */
    public function __construct(
        RequestInterface $request,
        AuthorizationInterface $authorization,
        ManagerInterface $messageManager,
        RedirectFactory $resultRedirectFactory
    ) {
        $this->request = $request;
        $this->authorization = $authorization;
        $this->messageManager = $messageManager;
        $this->resultRedirectFactory = $resultRedirectFactory;
    }

    /**
     * Return the request.
     *
     * @return RequestInterface
     */
    public function getRequest()
    {
        return $this->request;
    }

    /**
     * Return the ACL check.
     *
     * @return AuthorizationInterface
     */
    public function getAuthorization()
    {
        return $this->authorization;
    }

    /**
     * Return the message manager.
     *
     * @return ManagerInterface
     */
    public function getMessageManager()
    {
        return $this->messageManager;
    }

    /**
     * Return the redirect factory.
     *
     * @return RedirectFactory
     */
    public function getResultRedirectFactory()
    {
        return $this->resultRedirectFactory;
    }
}
